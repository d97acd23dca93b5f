#include "scorepath/sampling/covariance_mixture.hpp"

#include <cmath>
#include <string>

#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/normals.hpp"

namespace scorepath {

namespace {

/// The lower Cholesky factor of the D×D matrix @p a (row-major) into @p l; false when @p a is
/// not positive definite.
bool cholesky(const double* a, int d, double* l) {
  for (int i = 0; i < d; ++i) {
    for (int j = 0; j <= i; ++j) {
      double acc = a[i * d + j];
      for (int k = 0; k < j; ++k) acc -= l[i * d + k] * l[j * d + k];
      if (i == j) {
        if (!(acc > 0) || !std::isfinite(acc)) return false;
        l[i * d + i] = std::sqrt(acc);
      } else {
        l[i * d + j] = acc / l[j * d + j];
      }
    }
    for (int j = i + 1; j < d; ++j) l[i * d + j] = 0;
  }
  return true;
}

}  // namespace

void check_covariance_mixture(const covariance_mixture& mix) {
  SCOREPATH_EXPECTS(mix.dim >= 1 && mix.dim <= 4096, "dim", mix.dim, "must be between 1 and 4096");
  SCOREPATH_EXPECTS(!mix.weights.empty() && mix.weights.size() <= 4096, "weights",
                    mix.weights.size(), "must hold between 1 and 4096 component weights");
  for (std::size_t k = 0; k < mix.weights.size(); ++k) {
    SCOREPATH_EXPECTS(std::isfinite(mix.weights[k]) && mix.weights[k] > 0,
                      "weights[" + std::to_string(k) + "]", mix.weights[k],
                      "must be positive and finite");
  }
  const std::size_t d = static_cast<std::size_t>(mix.dim), k_count = mix.weights.size();
  SCOREPATH_EXPECTS(mix.means.size() == k_count * d, "means size", mix.means.size(),
                    "must be components × dim = " + std::to_string(k_count * d));
  SCOREPATH_EXPECTS(mix.covariances.size() == k_count * d * d, "covariances size",
                    mix.covariances.size(),
                    "must be components × dim × dim = " + std::to_string(k_count * d * d));
  for (std::size_t j = 0; j < mix.means.size(); ++j) {
    SCOREPATH_EXPECTS(std::isfinite(mix.means[j]), "means[" + std::to_string(j) + "]",
                      mix.means[j], "must be finite");
  }
  for (std::size_t j = 0; j < mix.covariances.size(); ++j) {
    SCOREPATH_EXPECTS(std::isfinite(mix.covariances[j]), "covariances[" + std::to_string(j) + "]",
                      mix.covariances[j], "must be finite");
  }
  std::vector<double> l(d * d);
  for (std::size_t k = 0; k < k_count; ++k) {
    const double* a = mix.covariances.data() + k * d * d;
    const std::string name = "covariances[" + std::to_string(k) + "]";
    for (std::size_t i = 0; i < d; ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        const double scale = std::fabs(a[i * d + j]) + std::fabs(a[j * d + i]);
        SCOREPATH_EXPECTS(std::fabs(a[i * d + j] - a[j * d + i]) <= 1e-12 * scale, name,
                          "entry (" + std::to_string(i) + ", " + std::to_string(j) + ")",
                          "must be symmetric");
      }
    }
    SCOREPATH_EXPECTS(cholesky(a, mix.dim, l.data()), name, "not positive definite",
                      "must be symmetric positive definite");
  }
}

namespace detail {

covariance_mixture_factors factor_checked_mixture(const covariance_mixture& mix, double alpha,
                                                  double sigma) {
  covariance_mixture_factors f;
  factor_checked_mixture(mix, alpha, sigma, f);
  return f;
}

void factor_checked_mixture(const covariance_mixture& mix, double alpha, double sigma,
                            covariance_mixture_factors& f) {
  const int d = mix.dim;
  const auto dd = static_cast<std::size_t>(d) * d;
  f.dim = d;
  f.components = mix.components();
  f.centre.resize(mix.means.size());
  f.cholesky.resize(mix.covariances.size());
  f.offset.resize(mix.weights.size());
  double total = 0;
  for (double w : mix.weights) total += w;
  for (int k = 0; k < f.components; ++k) {
    // α²Σ_k + σ²I into L_k's place, then factored there (each entry is read before it is
    // overwritten).
    const double* a = mix.covariances.data() + k * dd;
    double* l = f.cholesky.data() + k * dd;
    for (std::size_t e = 0; e < dd; ++e) l[e] = alpha * alpha * a[e];
    for (int i = 0; i < d; ++i) l[i * d + i] += sigma * sigma;
    if (!cholesky(l, d, l)) {
      throw invalid_argument_error("covariances[" + std::to_string(k) + "]",
                                   "not positive definite after the diffusion",
                                   "must stay positive definite at alpha " +
                                       std::to_string(alpha) + ", sigma " + std::to_string(sigma),
                                   __FILE__, __LINE__);
    }
    double offset = std::log(mix.weights[k] / total);  // the weights normalised
    for (int i = 0; i < d; ++i) {
      f.centre[k * d + i] = alpha * mix.means[k * d + i];
      offset -= std::log(l[i * d + i]);
    }
    f.offset[k] = offset;
  }
}

}  // namespace detail

covariance_mixture_factors factor_covariance_mixture(const covariance_mixture& mix, double alpha,
                                                     double sigma) {
  check_covariance_mixture(mix);
  SCOREPATH_EXPECTS(std::isfinite(alpha) && alpha > 0, "alpha", alpha, "must be positive and finite");
  SCOREPATH_EXPECTS(std::isfinite(sigma) && sigma >= 0, "sigma", sigma,
                    "must be non-negative and finite");
  return detail::factor_checked_mixture(mix, alpha, sigma);
}

std::vector<double> draw_covariance_mixture(const covariance_mixture& mix, std::uint64_t n,
                                            std::uint64_t seed) {
  check_covariance_mixture(mix);
  const int d = mix.dim;
  const covariance_mixture_factors f = detail::factor_checked_mixture(mix, 1.0, 0.0);
  std::vector<double> x = allocating("samples", [&] {
    return std::vector<double>(checked_size_product(n, static_cast<std::size_t>(d), "samples"));
  });
  double total = 0;
  for (double w : mix.weights) total += w;
  philox_normals<double> normal(seed, 0u, 0u);
  philox_words<std::uint32_t> words(seed, 1u, 0u);
  std::vector<double> z(d);
  for (std::uint64_t s = 0; s < n; ++s) {
    const std::uint32_t lo = words.next();
    const std::uint32_t hi = words.next();
    const double u = to_double53(lo, hi) * 0x1.0p-53 * total;  // uniform in [0, total)
    int k = 0;
    for (double below = mix.weights[0]; k + 1 < mix.components() && u >= below;) {
      below += mix.weights[++k];
    }
    const double* l = f.cholesky.data() + static_cast<std::size_t>(k) * d * d;
    for (int i = 0; i < d; ++i) z[i] = normal.next();
    for (int i = 0; i < d; ++i) {
      double acc = mix.means[static_cast<std::size_t>(k) * d + i];
      for (int j = 0; j <= i; ++j) acc += l[i * d + j] * z[j];
      x[s * d + i] = acc;
    }
  }
  return x;
}

}  // namespace scorepath
