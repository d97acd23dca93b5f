#include "scorepath/sampling/sample_quality.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/error.hpp"
#include "scorepath/normals.hpp"

namespace scorepath {
namespace {

/// Refuses a sample set that is not rows of dim finite numbers, at least two of them.
std::size_t checked_rows(const char* name, const std::vector<double>& v, int dim) {
  SCOREPATH_EXPECTS(dim >= 1, "dim", dim, "must be at least 1");
  const auto d = static_cast<std::size_t>(dim);
  SCOREPATH_EXPECTS(v.size() % d == 0, std::string(name) + " size", v.size(),
                    "must be a multiple of the dimension " + std::to_string(dim));
  SCOREPATH_EXPECTS(v.size() / d >= 2, name, v.size() / d, "must hold at least two rows");
  for (std::size_t k = 0; k < v.size(); ++k) {
    SCOREPATH_EXPECTS(std::isfinite(v[k]),
                      std::string(name) + "[" + std::to_string(k / d) + "][" +
                          std::to_string(k % d) + "]",
                      v[k], "must be finite");
  }
  return v.size() / d;
}

struct no_scratch {};

/// mean and unbiased variance of v.
void mean_variance(const std::vector<double>& v, double& mean, double& var) {
  mean = 0;
  for (double e : v) mean += e;
  mean /= static_cast<double>(v.size());
  var = 0;
  for (double e : v) var += (e - mean) * (e - mean);
  var /= static_cast<double>(v.size() - 1);
}

/**
 * The U-statistic sign·(2·K_xy − K_xx − K_yy) for a kernel K of two rows, with its first-order
 * standard error: energy distance for K = ‖x − y‖ and sign +1, MMD² for the Gaussian kernel and
 * sign −1.
 */
template <class Kernel>
quality_estimate two_sample_statistic(const context& ctx, const std::vector<double>& x,
                                      const std::vector<double>& y, int dim, double sign,
                                      Kernel kernel) {
  const std::size_t n = checked_rows("x", x, dim), m = checked_rows("y", y, dim);
  const auto d = static_cast<std::size_t>(dim);
  // Row r < n is x_r, row r ≥ n is y_{r−n}: its mean kernel value against X (without itself)
  // and against Y.
  std::vector<double> against_x(n + m), against_y(n + m);
  detail::cpu_for_each<no_scratch>(
      ctx, n + m, detail::cpu_block_schedule::even, [](no_scratch&) {},
      [&](std::uint64_t r, no_scratch&) {
        const bool in_x = r < n;
        const double* row = in_x ? &x[r * d] : &y[(r - n) * d];
        double sx = 0, sy = 0;
        for (std::size_t i = 0; i < n; ++i) {
          if (in_x && i == r) continue;
          sx += kernel(row, &x[i * d], d);
        }
        for (std::size_t j = 0; j < m; ++j) {
          if (!in_x && j == r - n) continue;
          sy += kernel(row, &y[j * d], d);
        }
        against_x[r] = sx / static_cast<double>(in_x ? n - 1 : n);
        against_y[r] = sy / static_cast<double>(in_x ? m : m - 1);
      });
  // a_i = sign·(2·K(x_i, Y) − 2·K(x_i, X)), b_j = sign·(2·K(y_j, X) − 2·K(y_j, Y)): their means
  // are twice the cross and within terms, and E = (mean a + mean b)/2.
  std::vector<double> a(n), b(m);
  for (std::size_t i = 0; i < n; ++i) a[i] = sign * 2.0 * (against_y[i] - against_x[i]);
  for (std::size_t j = 0; j < m; ++j) b[j] = sign * 2.0 * (against_x[n + j] - against_y[n + j]);
  double ma = 0, va = 0, mb = 0, vb = 0;
  mean_variance(a, ma, va);
  mean_variance(b, mb, vb);
  quality_estimate e;
  e.value = 0.5 * (ma + mb);
  e.std_error = std::sqrt(va / static_cast<double>(n) + vb / static_cast<double>(m));
  return e;
}

}  // namespace

quality_estimate energy_distance(const context& ctx, const std::vector<double>& x,
                                 const std::vector<double>& y, int dim) {
  return two_sample_statistic(ctx, x, y, dim, 1.0,
                              [](const double* p, const double* q, std::size_t d) {
                                double s = 0;
                                for (std::size_t i = 0; i < d; ++i) s += (p[i] - q[i]) * (p[i] - q[i]);
                                return std::sqrt(s);
                              });
}

quality_estimate mmd_squared(const context& ctx, const std::vector<double>& x,
                             const std::vector<double>& y, int dim, double bandwidth) {
  SCOREPATH_EXPECTS(std::isfinite(bandwidth) && bandwidth > 0, "bandwidth", bandwidth,
                    "must be positive and finite");
  const double scale = -0.5 / (bandwidth * bandwidth);
  return two_sample_statistic(ctx, x, y, dim, -1.0,
                              [scale](const double* p, const double* q, std::size_t d) {
                                double s = 0;
                                for (std::size_t i = 0; i < d; ++i) s += (p[i] - q[i]) * (p[i] - q[i]);
                                return std::exp(scale * s);
                              });
}

quality_estimate sliced_wasserstein(const std::vector<double>& x, const std::vector<double>& y,
                                    int dim, std::uint32_t projections, std::uint64_t seed) {
  const std::size_t n = checked_rows("x", x, dim), m = checked_rows("y", y, dim);
  SCOREPATH_EXPECTS(projections >= 1 && projections <= 100000, "projections", projections,
                    "must be between 1 and 100000");
  const auto d = static_cast<std::size_t>(dim);
  const std::size_t q = std::max(n, m);
  philox_normals<double> normals(seed, 0u, 0u);
  std::vector<double> dir(d), px(n), py(m), per_direction(projections);
  for (std::uint32_t k = 0; k < projections; ++k) {
    double norm = 0;
    for (double& e : dir) {
      e = normals.next();
      norm += e * e;
    }
    norm = std::sqrt(norm);
    for (double& e : dir) e /= norm;
    for (std::size_t i = 0; i < n; ++i) {
      double s = 0;
      for (std::size_t c = 0; c < d; ++c) s += dir[c] * x[i * d + c];
      px[i] = s;
    }
    for (std::size_t j = 0; j < m; ++j) {
      double s = 0;
      for (std::size_t c = 0; c < d; ++c) s += dir[c] * y[j * d + c];
      py[j] = s;
    }
    std::sort(px.begin(), px.end());
    std::sort(py.begin(), py.end());
    double sum = 0;
    for (std::size_t k2 = 0; k2 < q; ++k2) {
      const double u = (static_cast<double>(k2) + 0.5) / static_cast<double>(q);
      const double diff = px[static_cast<std::size_t>(u * n)] - py[static_cast<std::size_t>(u * m)];
      sum += diff * diff;
    }
    per_direction[k] = sum / static_cast<double>(q);
  }
  double mean = 0, var = 0;
  if (projections > 1) {
    mean_variance(per_direction, mean, var);
  } else {
    mean = per_direction[0];
  }
  quality_estimate e;
  e.value = std::sqrt(mean);
  // δ-method: d√μ = dμ / (2√μ).
  e.std_error = mean > 0 ? std::sqrt(var / projections) / (2.0 * e.value) : 0.0;
  return e;
}

std::vector<double> mixture_component_fractions(const diagonal_mixture& mix,
                                                const std::vector<double>& samples) {
  check_diagonal_mixture(mix);
  const auto d = static_cast<std::size_t>(mix.dim);
  SCOREPATH_EXPECTS(!samples.empty() && samples.size() % d == 0, "samples", samples.size(),
                    "must be a positive multiple of the mixture's dimension " + std::to_string(d));
  const std::size_t rows = samples.size() / d;
  std::vector<double> fractions(mix.weights.size(), 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* x = &samples[r * d];
    bool finite = true;
    for (std::size_t i = 0; i < d; ++i) finite = finite && std::isfinite(x[i]);
    if (!finite) continue;
    int best = 0;
    double best_log = -INFINITY;
    for (int k = 0; k < mix.components(); ++k) {
      double acc = std::log(mix.weights[k]);
      for (std::size_t i = 0; i < d; ++i) {
        const double v = mix.variances[k * d + i], diff = x[i] - mix.means[k * d + i];
        acc -= 0.5 * (diff * diff / v + std::log(v));
      }
      if (acc > best_log) {
        best_log = acc;
        best = k;
      }
    }
    fractions[best] += 1.0;
  }
  for (double& f : fractions) f /= static_cast<double>(rows);
  return fractions;
}

}  // namespace scorepath
