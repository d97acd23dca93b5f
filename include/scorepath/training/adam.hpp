/**
 * @file training/adam.hpp
 * @brief Adam with decoupled weight decay, gradient-norm clipping, a linear learning-rate warm-up
 *        and an exponential moving average of the weights, as score models are trained.
 *
 * Step t (from 1), gradient g clipped to norm c when c > 0 (g ← g·c/‖g‖ when ‖g‖ > c):
 *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
 *   η_t = η·min(1, t / warm-up),
 *   θ ← θ − η_t·[m/(1 − β₁ᵗ) / (√(v/(1 − β₂ᵗ)) + ε) + λθ],
 *   EMA ← d·EMA + (1 − d)θ (EMA starts at the first weights).
 * All in double, in parameter order: a step is deterministic.
 */
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "scorepath/error.hpp"

namespace scorepath {

/// Settings of adam_optimizer.
struct adam_options {
  double learning_rate = 1e-3;    ///< η, > 0
  double beta1 = 0.9;             ///< β₁ in [0, 1)
  double beta2 = 0.999;           ///< β₂ in [0, 1)
  double epsilon = 1e-8;          ///< ε, > 0
  double weight_decay = 0.0;      ///< λ ≥ 0, decoupled (AdamW)
  double clip_norm = 0.0;         ///< c ≥ 0; 0 turns clipping off
  std::uint64_t warmup_steps = 0; ///< linear warm-up length; 0 turns it off
  double ema_decay = 0.0;         ///< d in [0, 1); 0 keeps no average
};

/// What one step did.
struct adam_step_report {
  double gradient_norm = 0.0;  ///< ‖g‖ before clipping
  double learning_rate = 0.0;  ///< η_t
};

/// Adam state for one parameter vector.
class adam_optimizer {
 public:
  /**
   * @param opt the settings
   * @param initial the first weights, one per parameter (the moving average starts there)
   * @throw invalid_argument_error naming the option out of range
   */
  adam_optimizer(const adam_options& opt, const std::vector<double>& initial)
      : opt_(opt), m_(initial.size(), 0.0), v_(initial.size(), 0.0), ema_(initial) {
    auto in_unit = [](double b) { return std::isfinite(b) && b >= 0 && b < 1; };
    SCOREPATH_EXPECTS(std::isfinite(opt.learning_rate) && opt.learning_rate > 0, "learning_rate",
                      opt.learning_rate, "must be positive and finite");
    SCOREPATH_EXPECTS(in_unit(opt.beta1), "beta1", opt.beta1, "must be in [0, 1)");
    SCOREPATH_EXPECTS(in_unit(opt.beta2), "beta2", opt.beta2, "must be in [0, 1)");
    SCOREPATH_EXPECTS(std::isfinite(opt.epsilon) && opt.epsilon > 0, "epsilon", opt.epsilon,
                      "must be positive and finite");
    SCOREPATH_EXPECTS(std::isfinite(opt.weight_decay) && opt.weight_decay >= 0, "weight_decay",
                      opt.weight_decay, "must be non-negative and finite");
    SCOREPATH_EXPECTS(std::isfinite(opt.clip_norm) && opt.clip_norm >= 0, "clip_norm",
                      opt.clip_norm, "must be non-negative and finite (0: no clipping)");
    SCOREPATH_EXPECTS(in_unit(opt.ema_decay), "ema_decay", opt.ema_decay, "must be in [0, 1)");
  }

  /**
   * @brief One step: updates @p weights in place from @p gradient (same length).
   * @throw invalid_argument_error naming `gradient size` when the lengths differ
   */
  template <class T>
  adam_step_report step(std::vector<T>& weights, const std::vector<T>& gradient) {
    SCOREPATH_EXPECTS(weights.size() == m_.size(), "weights size", weights.size(),
                      "must equal " + std::to_string(m_.size()));
    SCOREPATH_EXPECTS(gradient.size() == m_.size(), "gradient size", gradient.size(),
                      "must equal " + std::to_string(m_.size()));
    ++steps_;
    adam_step_report r;
    double norm2 = 0;
    for (T g : gradient) norm2 += static_cast<double>(g) * static_cast<double>(g);
    r.gradient_norm = std::sqrt(norm2);
    const double clip = opt_.clip_norm > 0 && r.gradient_norm > opt_.clip_norm
                            ? opt_.clip_norm / r.gradient_norm
                            : 1.0;
    const double t = static_cast<double>(steps_);
    r.learning_rate = opt_.warmup_steps > 0 && steps_ < opt_.warmup_steps
                          ? opt_.learning_rate * t / static_cast<double>(opt_.warmup_steps)
                          : opt_.learning_rate;
    const double bias1 = 1 - std::pow(opt_.beta1, t);
    const double bias2 = 1 - std::pow(opt_.beta2, t);
    // Plain loops over the parameters, without branches, so that they vectorise.
    const std::size_t count = weights.size();
    const double beta1 = opt_.beta1, beta2 = opt_.beta2, eps = opt_.epsilon;
    const double decay = opt_.weight_decay, rate = r.learning_rate;
    double* m = m_.data();
    double* v = v_.data();
    for (std::size_t k = 0; k < count; ++k) {
      const double g = static_cast<double>(gradient[k]) * clip;
      m[k] = beta1 * m[k] + (1 - beta1) * g;
      v[k] = beta2 * v[k] + (1 - beta2) * g * g;
      const double w = static_cast<double>(weights[k]);
      const double update = (m[k] / bias1) / (std::sqrt(v[k] / bias2) + eps) + decay * w;
      weights[k] = static_cast<T>(w - rate * update);
    }
    double* ema = ema_.data();
    const double keep = opt_.ema_decay;
    if (keep > 0) {
      for (std::size_t k = 0; k < count; ++k) {
        ema[k] = keep * ema[k] + (1 - keep) * static_cast<double>(weights[k]);
      }
    } else {
      for (std::size_t k = 0; k < count; ++k) ema[k] = static_cast<double>(weights[k]);
    }
    return r;
  }

  /**
   * @brief Continues from a saved state (first_moment, second_moment, average and steps of an
   *        optimizer with the same settings): the next step is the one that optimizer would take.
   * @throw invalid_argument_error naming the vector whose length is not the parameter count, or
   *        holding a value that is not finite (or negative, for the second moment)
   */
  void restore(std::vector<double> first, std::vector<double> second, std::vector<double> average,
               std::uint64_t steps) {
    auto check = [&](const std::vector<double>& v, const char* name, bool non_negative) {
      SCOREPATH_EXPECTS(v.size() == m_.size(), std::string(name) + " size", v.size(),
                        "must equal the parameter count " + std::to_string(m_.size()));
      for (std::size_t k = 0; k < v.size(); ++k) {
        SCOREPATH_EXPECTS(std::isfinite(v[k]) && (!non_negative || v[k] >= 0),
                          std::string(name) + "[" + std::to_string(k) + "]", v[k],
                          non_negative ? "must be finite and non-negative" : "must be finite");
      }
    };
    check(first, "first_moment", false);
    check(second, "second_moment", true);
    check(average, "average", false);
    m_ = std::move(first);
    v_ = std::move(second);
    ema_ = std::move(average);
    steps_ = steps;
  }

  std::uint64_t steps() const { return steps_; }                 ///< steps taken
  const std::vector<double>& average() const { return ema_; }    ///< EMA of the weights
  const std::vector<double>& first_moment() const { return m_; }   ///< m
  const std::vector<double>& second_moment() const { return v_; }  ///< v
  const adam_options& options() const { return opt_; }           ///< the settings

 private:
  adam_options opt_;
  std::vector<double> m_, v_, ema_;
  std::uint64_t steps_ = 0;
};

}  // namespace scorepath
