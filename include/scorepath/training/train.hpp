/**
 * @file training/train.hpp
 * @brief Trains an mlp_network on a data set: minibatches in a shuffled order per epoch, the
 *        loss and its gradient (training/loss_gradient.hpp), and an Adam step (training/adam.hpp),
 *        with a callback after every step.
 *
 * The run is a function of (network, data, options): epoch e visits the data in the order of a
 * Fisher–Yates shuffle driven by Philox words of key `seed` on subsequence e; step t takes the
 * next `batch` samples of that order (an epoch's last, shorter batch is skipped); the probes or
 * noise of step t come from rng_stream(seed + 1) reserving in step order. Gradients do not depend
 * on the thread count, so neither does the run.
 *
 * A step whose loss or gradient is not finite, or whose update would leave a weight that is not
 * finite, stops the run with the network at the last finite weights; the report says at which step.
 */
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <new>
#include <numeric>
#include <string>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/philox.hpp"
#include "scorepath/training/adam.hpp"
#include "scorepath/training/loss_gradient.hpp"
#include "scorepath/training/mlp_network.hpp"

namespace scorepath {

/// What train_score_model does.
struct train_options {
  loss_gradient_options loss;  ///< the loss, its probes and noise scale
  adam_options adam;           ///< the optimizer
  std::uint64_t steps = 1000;  ///< optimizer steps, ≥ 1
  std::uint64_t batch = 256;   ///< samples per step, 1 … data size
  std::uint64_t seed = 0;      ///< shuffles, probes and noise
};

/**
 * @brief Where a run is: enough to continue it bit for bit (a checkpoint holds this and the
 *        network's weights).
 */
struct train_state {
  std::uint64_t step = 0;              ///< steps taken
  std::vector<double> first_moment;    ///< Adam's m
  std::vector<double> second_moment;   ///< Adam's v
  std::vector<double> average;         ///< moving average of the weights
  rng_state probes;                    ///< the probe and noise stream, next step's start
};

/// What one step reports to the callback.
struct train_step {
  std::uint64_t step = 0;      ///< 1, 2, …
  loss_estimate loss;          ///< the batch's loss before the step
  double gradient_norm = 0.0;  ///< ‖∇‖ before clipping
  double learning_rate = 0.0;  ///< the step's learning rate after warm-up
  /// The run's state after this step (valid during the callback): a checkpoint saves it with the
  /// network's weights.
  const train_state* state = nullptr;
};

/// How a run ended.
struct train_report {
  std::uint64_t steps = 0;           ///< steps taken
  bool stopped_non_finite = false;   ///< a step gave a loss, gradient or weight not finite
  std::uint64_t stopped_at = 0;      ///< that step (0 when none)
  loss_estimate last_loss;           ///< the loss of the last step taken
  std::vector<double> average;       ///< the moving average of the weights (adam ema_decay)
};

/// Called after each step; returning false ends the run after that step.
using train_callback = std::function<bool(const train_step&)>;

namespace detail {

/// The visiting order of epoch @p epoch: a Fisher–Yates shuffle of 0 … n − 1 on Philox words.
inline void epoch_order(std::uint64_t seed, std::uint64_t epoch, std::vector<std::uint64_t>& order) {
  std::iota(order.begin(), order.end(), std::uint64_t{0});
  philox_words<std::uint32_t> words(seed, low_word(epoch), high_word(epoch));
  for (std::uint64_t i = order.size(); i > 1; --i) {
    const std::uint64_t r = (static_cast<std::uint64_t>(words.next()) << 32) | words.next();
    // 64 random bits reduced modulo i: a bias below i/2⁶⁴, far under any sampling error.
    const std::uint64_t j = r % i;
    std::swap(order[i - 1], order[j]);
  }
}

}  // namespace detail

/**
 * @brief Every check train_score_model makes before it changes anything, alone: the data (at
 *        least two samples, a whole number of rows, finite), `steps`, `batch`, the Adam settings,
 *        the loss options (as validate_loss_gradient) and the resume state.
 * @throw as train_score_model
 */
template <class T>
void validate_training(const context& ctx, const mlp_network<T>& net, input_span<T> data,
                       const train_options& opt, const train_state* resume = nullptr) {
  const int d = net.dim();
  SCOREPATH_EXPECTS(data.data != nullptr && data.size > 0, "data", "empty",
                    "must hold at least two samples");
  SCOREPATH_EXPECTS(data.size % static_cast<std::size_t>(d) == 0, "data size", data.size,
                    "must be a multiple of the network dimension " + std::to_string(d));
  SCOREPATH_EXPECTS(data.space == memory_space::host, "data space", "device",
                    "training runs on the CPU and needs host memory");
  const std::uint64_t n = data.size / d;
  SCOREPATH_EXPECTS(n >= 2, "data", "1 sample", "must hold at least two samples");
  SCOREPATH_EXPECTS(opt.steps >= 1, "steps", opt.steps, "must be at least 1");
  SCOREPATH_EXPECTS(opt.batch >= 1 && opt.batch <= n, "batch", opt.batch,
                    "must be between 1 and the data size " + std::to_string(n));
  adam_optimizer adam(opt.adam, std::vector<double>(net.parameters().size(), 0.0));
  if (resume != nullptr && resume->step > 0) {
    SCOREPATH_EXPECTS(resume->step <= opt.steps, "resume step", resume->step,
                      "must not be beyond steps = " + std::to_string(opt.steps));
    SCOREPATH_EXPECTS(resume->probes.seed == opt.seed + 1, "resume probes seed",
                      resume->probes.seed, "must be seed + 1 = " + std::to_string(opt.seed + 1));
    adam.restore(resume->first_moment, resume->second_moment, resume->average, resume->step);
  }
  detail::require_finite_rows("data", data.data, data.size, static_cast<std::size_t>(d));
  // The loss options, on the first batch's worth of rows (all rows are finite by now).
  validate_loss_gradient(ctx, net, input_span<T>{data.data, opt.batch * d, data.space}, opt.loss);
}

namespace detail {

/**
 * @brief The training loop of train_score_model, with the step's loss and gradient from
 *        @p loss_gradient(probes, batch, gradient) (score_loss_gradient, or a distributed
 *        equivalent). Checks nothing: the caller has validated the request.
 */
template <class T, class LossGradient>
train_report run_training(mlp_network<T>& net, input_span<T> data, const train_options& opt,
                          const train_callback& on_step, train_state* resume,
                          LossGradient&& loss_gradient) {
  const int d = net.dim();
  const std::uint64_t n = data.size / d;
  std::vector<double> initial(net.parameters().begin(), net.parameters().end());
  adam_optimizer adam(opt.adam, initial);
  rng_stream probes(opt.seed + 1);
  std::uint64_t first_step = 0;
  if (resume != nullptr && resume->step > 0) {
    adam.restore(resume->first_moment, resume->second_moment, resume->average, resume->step);
    probes = rng_stream(resume->probes);
    first_step = resume->step;
  }

  train_report report;
  report.steps = first_step;
  train_state live;
  train_state& state = resume != nullptr ? *resume : live;
  std::vector<std::uint64_t> order(n);
  std::vector<T> batch(opt.batch * d);
  std::vector<T> gradient(net.parameters().size());
  std::vector<T> weights = net.parameters();
  const std::uint64_t per_epoch = n / opt.batch;
  std::uint64_t ordered_epoch = UINT64_MAX;
  for (std::uint64_t t = first_step; t < opt.steps; ++t) {
    const std::uint64_t epoch = t / per_epoch, in_epoch = t % per_epoch;
    if (epoch != ordered_epoch) {
      epoch_order(opt.seed, epoch, order);
      ordered_epoch = epoch;
    }
    for (std::uint64_t b = 0; b < opt.batch; ++b) {
      const T* x = data.data + order[in_epoch * opt.batch + b] * d;
      for (int i = 0; i < d; ++i) batch[b * d + i] = x[i];
    }
    const loss_gradient_report lr =
        loss_gradient(probes, host_input(batch.data(), batch.size()),
                      host_output(gradient.data(), gradient.size()));
    bool finite = std::isfinite(lr.loss.value) &&
                  detail::first_non_finite(gradient.data(), gradient.size()) == gradient.size();
    if (finite) {
      const adam_step_report ar = adam.step(weights, gradient);
      finite = detail::first_non_finite(weights.data(), weights.size()) == weights.size();
      if (finite) {
        net.set_parameters(weights);
        report.steps = t + 1;
        report.last_loss = lr.loss;
        state.step = t + 1;
        state.first_moment = adam.first_moment();
        state.second_moment = adam.second_moment();
        state.average = adam.average();
        state.probes = probes.state();
        train_step s{t + 1, lr.loss, ar.gradient_norm, ar.learning_rate, &state};
        if (on_step && !on_step(s)) break;
        continue;
      }
    }
    report.stopped_non_finite = true;
    report.stopped_at = t + 1;
    break;
  }
  report.average = adam.average();
  return report;
}

}  // namespace detail

/**
 * @brief Trains @p net on @p data (row-major N×D) in place until `opt.steps` steps have been
 *        taken; calls @p on_step after every step.
 *
 * With @p resume (a state saved from a run with the same options and data, and @p net holding the
 * weights saved with it), the run continues from there and ends exactly as the uninterrupted run
 * would have; the state is updated as the run goes.
 * @throw invalid_argument_error naming the option or input (as score_loss_gradient and
 *        adam_optimizer, and `steps` = 0, `batch` outside 1 … N, data of one sample, a resume
 *        state whose vectors do not match the network or whose step is beyond `steps`); the
 *        network is unchanged then
 * @throw cuda_error when the device of a CUDA context fails (the layers run there,
 *        score_loss_gradient; the optimizer runs on the host)
 */
template <class T>
train_report train_score_model(const context& ctx, mlp_network<T>& net, input_span<T> data,
                               const train_options& opt, const train_callback& on_step = {},
                               train_state* resume = nullptr) {
  validate_training(ctx, net, data, opt, resume);
  return detail::run_training(
      net, data, opt, on_step, resume,
      [&](rng_stream& probes, input_span<T> batch, output_span<T> gradient) {
        return score_loss_gradient(ctx, probes, net, batch, opt.loss, gradient);
      });
}

}  // namespace scorepath
