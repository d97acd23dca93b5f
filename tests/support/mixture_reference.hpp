// Diagonal Gaussian mixtures for the tests: random parameters, the model built from them, draws
// from the mixture, and the score and its Jacobian in closed form, derived from the raw parameters
// (weights, means, variances) alone, never from what the model stores.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "scorepath/scores/gaussian_mixture.hpp"
#include "test_support.hpp"

namespace scorepath::test_support {

inline constexpr int mixture_components = 8;

/// Parameters of a diagonal mixture (weights unnormalised; means and variances row-major C×D).
template <int D>
struct mixture_params {
  std::array<double, mixture_components> weights;
  std::array<double, mixture_components * D> means, variances;
};

/// Distinct, well separated widths (no ties anywhere): weights in [½, 1½], means 2·N(0, 1),
/// variances in [0.3, 1.5].
template <int D>
mixture_params<D> random_mixture_params(std::uint64_t seed) {
  test_rng g(seed);
  mixture_params<D> p;
  for (double& w : p.weights) w = g.uniform(0.5, 1.5);
  for (double& m : p.means) m = 2.0 * g.normal();
  for (double& v : p.variances) v = g.uniform(0.3, 1.5);
  return p;
}

template <class T, int D>
gaussian_mixture_score<T, D, mixture_components> make_mixture(const mixture_params<D>& p) {
  std::array<T, mixture_components> w;
  std::array<T, mixture_components * D> m, v;
  for (int c = 0; c < mixture_components; ++c) w[c] = static_cast<T>(p.weights[c]);
  for (int k = 0; k < mixture_components * D; ++k) {
    m[k] = static_cast<T>(p.means[k]);
    v[k] = static_cast<T>(p.variances[k]);
  }
  return gaussian_mixture_score<T, D, mixture_components>(w, m, v);
}

/// N draws from the mixture (row-major N×D).
template <int D>
std::vector<double> mixture_samples(const mixture_params<D>& p, std::size_t n, std::uint64_t seed) {
  test_rng g(seed);
  double total = 0;
  for (double w : p.weights) total += w;
  std::vector<double> x(n * D);
  for (std::size_t s = 0; s < n; ++s) {
    double u = g.uniform() * total;
    int c = 0;
    while (c + 1 < mixture_components && u >= p.weights[c]) u -= p.weights[c++];
    for (int i = 0; i < D; ++i) {
      x[s * D + i] = p.means[c * D + i] + std::sqrt(p.variances[c * D + i]) * g.normal();
    }
  }
  return x;
}

/// Score, Jacobian and the size of the magnitudes that enter them (for tolerances).
template <int D>
struct mixture_jacobian {
  double score[D];
  double jac[D][D];
  double scale;
};

/**
 * Closed form score and Jacobian of a diagonal mixture at @p x, from the raw parameters.
 *
 * The density is Σ_c π_c N(x; μ_c, diag v_c) with π_c = w_c / Σ w. With
 *   a_c = log π_c − ½ Σ_i log v_ci − ½ Σ_i (x_i − μ_ci)²/v_ci   (log π_c N(x) up to a constant),
 *   r = softmax(a), s_c = −(x − μ_c)/v_c  (componentwise),
 * ∇a_c = s_c, ∇r_c = r_c (s_c − S) with S = Σ r_c s_c the score, and ∂s_c/∂x = −diag(1/v_c), so
 *   J = Σ_c [s_c ∇r_cᵀ − r_c diag(1/v_c)] = Σ_c r_c s_c s_cᵀ − S Sᵀ − Σ_c r_c diag(1/v_c)
 * (symmetric). The softmax subtracts max_c a_c, so far from every component it stays finite.
 */
template <int D>
mixture_jacobian<D> mixture_closed_form(const mixture_params<D>& p, const double* x) {
  constexpr int C = mixture_components;
  double total_weight = 0;
  for (double w : p.weights) total_weight += w;
  double a[C], s[C][D];
  double top = -INFINITY;
  for (int c = 0; c < C; ++c) {
    double quad = 0, log_det = 0;
    for (int i = 0; i < D; ++i) {
      const double v = p.variances[c * D + i];
      const double d = x[i] - p.means[c * D + i];
      quad += d * d / v;
      log_det += std::log(v);
      s[c][i] = -d / v;
    }
    a[c] = std::log(p.weights[c] / total_weight) - 0.5 * log_det - 0.5 * quad;
    top = std::max(top, a[c]);
  }
  double r[C], total = 0;
  for (int c = 0; c < C; ++c) total += (r[c] = std::exp(a[c] - top));
  for (double& rc : r) rc /= total;
  mixture_jacobian<D> out{};
  for (int i = 0; i < D; ++i) {
    out.score[i] = 0;
    for (int c = 0; c < C; ++c) out.score[i] += r[c] * s[c][i];
  }
  double scale = 0;
  for (int c = 0; c < C; ++c) {
    double s2 = 0, lmax = 0;
    for (int i = 0; i < D; ++i) {
      s2 += s[c][i] * s[c][i];
      lmax = std::max(lmax, 1.0 / p.variances[c * D + i]);
    }
    scale += r[c] * (s2 + lmax);
  }
  for (int i = 0; i < D; ++i) {
    scale += out.score[i] * out.score[i];
    for (int j = 0; j < D; ++j) {
      double v = -out.score[i] * out.score[j];
      for (int c = 0; c < C; ++c) {
        v += r[c] * s[c][i] * s[c][j];
        if (i == j) v -= r[c] / p.variances[c * D + i];
      }
      out.jac[i][j] = v;
    }
  }
  out.scale = scale;
  return out;
}

}  // namespace scorepath::test_support
