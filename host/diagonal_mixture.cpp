#include "scorepath/sampling/diagonal_mixture.hpp"

#include <cmath>
#include <string>

#include "scorepath/datasets.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/normals.hpp"

namespace scorepath {

void check_diagonal_mixture(const diagonal_mixture& mix) {
  SCOREPATH_EXPECTS(mix.dim >= 1, "dim", mix.dim, "must be at least 1");
  SCOREPATH_EXPECTS(!mix.weights.empty() && mix.weights.size() <= 4096, "weights",
                    mix.weights.size(), "must hold between 1 and 4096 component weights");
  for (std::size_t k = 0; k < mix.weights.size(); ++k) {
    SCOREPATH_EXPECTS(std::isfinite(mix.weights[k]) && mix.weights[k] > 0,
                      "weights[" + std::to_string(k) + "]", mix.weights[k],
                      "must be positive and finite");
  }
  const std::size_t need = mix.weights.size() * static_cast<std::size_t>(mix.dim);
  SCOREPATH_EXPECTS(mix.means.size() == need, "means size", mix.means.size(),
                    "must be components × dim = " + std::to_string(need));
  SCOREPATH_EXPECTS(mix.variances.size() == need, "variances size", mix.variances.size(),
                    "must be components × dim = " + std::to_string(need));
  for (std::size_t j = 0; j < need; ++j) {
    SCOREPATH_EXPECTS(std::isfinite(mix.means[j]), "means[" + std::to_string(j) + "]",
                      mix.means[j], "must be finite");
    SCOREPATH_EXPECTS(std::isfinite(mix.variances[j]) && mix.variances[j] > 0,
                      "variances[" + std::to_string(j) + "]", mix.variances[j],
                      "must be positive and finite");
  }
}

diagonal_mixture ring_mixture_components(int dim) {
  SCOREPATH_EXPECTS(dim >= 1, "dim", dim, "must be at least 1");
  diagonal_mixture mix;
  mix.dim = dim;
  const int k_count = datasets::ring_mixture_components;
  mix.weights.assign(k_count, 1.0 / k_count);
  for (int k = 0; k < k_count; ++k) {
    for (int i = 0; i < dim; ++i) {
      mix.means.push_back(datasets::ring_mixture_mean(dim, k, i));
      mix.variances.push_back(datasets::ring_mixture_variance(dim));
    }
  }
  return mix;
}

std::vector<double> draw_mixture(const diagonal_mixture& mix, std::uint64_t n,
                                 std::uint64_t seed) {
  check_diagonal_mixture(mix);
  const int d = mix.dim;
  std::vector<double> x = allocating("samples", [&] {
    return std::vector<double>(checked_size_product(n, static_cast<std::size_t>(d), "samples"));
  });
  double total = 0;
  for (double w : mix.weights) total += w;
  philox_normals<double> normal(seed, 0u, 0u);
  philox_words<std::uint32_t> words(seed, 1u, 0u);
  for (std::uint64_t s = 0; s < n; ++s) {
    const std::uint32_t lo = words.next();
    const std::uint32_t hi = words.next();
    const double u = to_double53(lo, hi) * 0x1.0p-53 * total;
    int k = 0;
    double below = mix.weights[0];
    while (k + 1 < mix.components() && u >= below) below += mix.weights[++k];
    for (int i = 0; i < d; ++i) {
      const std::size_t j = static_cast<std::size_t>(k) * d + i;
      x[s * d + i] = mix.means[j] + std::sqrt(mix.variances[j]) * normal.next();
    }
  }
  return x;
}

diagonal_mixture_factors factor_diagonal_mixture(const diagonal_mixture& mix, double alpha,
                                                 double sigma) {
  diagonal_mixture_factors f;
  factor_diagonal_mixture(mix, alpha, sigma, f);
  return f;
}

void factor_diagonal_mixture(const diagonal_mixture& mix, double alpha, double sigma,
                             diagonal_mixture_factors& f) {
  f.dim = mix.dim;
  f.components = mix.components();
  f.centre.resize(mix.means.size());
  f.inverse.resize(mix.means.size());
  f.offset.resize(mix.weights.size());
  for (int k = 0; k < f.components; ++k) {
    double offset = std::log(mix.weights[k]);
    for (int i = 0; i < f.dim; ++i) {
      const std::size_t j = static_cast<std::size_t>(k) * f.dim + i;
      const double v = alpha * alpha * mix.variances[j] + sigma * sigma;
      f.centre[j] = alpha * mix.means[j];
      f.inverse[j] = 1.0 / v;
      offset -= 0.5 * std::log(v);
    }
    f.offset[k] = offset;
  }
}

double diffused_mixture_log_density(const diagonal_mixture& mix, double alpha, double sigma,
                                    const double* x) {
  const int d = mix.dim;
  double total = 0;
  for (double w : mix.weights) total += w;
  std::vector<double> terms;
  double largest = -INFINITY;
  for (int k = 0; k < mix.components(); ++k) {
    double acc = std::log(mix.weights[k] / total);
    for (int i = 0; i < d; ++i) {
      const std::size_t j = static_cast<std::size_t>(k) * d + i;
      const double v = alpha * alpha * mix.variances[j] + sigma * sigma;
      const double r = x[i] - alpha * mix.means[j];
      acc -= 0.5 * (r * r / v + std::log(2 * 3.141592653589793 * v));
    }
    terms.push_back(acc);
    largest = std::max(largest, acc);
  }
  double sum = 0;
  for (double t : terms) sum += std::exp(t - largest);
  return largest + std::log(sum);
}

}  // namespace scorepath
