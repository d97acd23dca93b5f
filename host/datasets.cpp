// The sampler of the built-in data distributions (datasets.hpp).
#include "scorepath/datasets.hpp"

#include <new>
#include <string>

#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/normals.hpp"

namespace scorepath::datasets {

namespace {

void check_dim(distribution data, int dim) {
  switch (data) {
    case distribution::gaussian:
      SCOREPATH_EXPECTS(dim == 2, "dim", dim, "must be 2 for the 2-D Gaussian");
      return;
    case distribution::diagonal_gaussian:
    case distribution::ring_mixture:
      SCOREPATH_EXPECTS(dim >= 1, "dim", dim, "must be at least 1");
      return;
  }
  throw invalid_argument_error("data", std::to_string(static_cast<int>(data)),
                               "must be gaussian, diagonal_gaussian or ring_mixture", __FILE__,
                               __LINE__);
}

}  // namespace

std::optional<double> expected_ism(distribution data, int dim) {
  check_dim(data, dim);
  if (data == distribution::gaussian) return -(gaussian_precision[0] + gaussian_precision[3]);
  if (data == distribution::diagonal_gaussian) {
    double trace = 0.0;
    for (int i = 0; i < dim; ++i) trace += 1.0 / diagonal_gaussian_variance(i);
    return -trace;
  }
  return std::nullopt;
}

std::vector<double> draw_samples(distribution data, int dim, std::uint64_t n, std::uint64_t seed) {
  check_dim(data, dim);
  const std::size_t count = checked_size_product(n, static_cast<std::uint64_t>(dim), "samples");
  check_host_request(checked_size_product(count, sizeof(double), "samples"), "samples");
  std::vector<double> x;
  try {
    x.resize(count);
  } catch (const std::bad_alloc&) {
    throw out_of_memory_error("samples: " + std::to_string(n) + " samples of dimension " +
                                  std::to_string(dim) + " could not be allocated",
                              __FILE__, __LINE__);
  }
  philox_normals<double> normal(seed, 0u, 0u);
  philox_words<std::uint32_t> words(seed, 1u, 0u);
  const double mixture_sd = std::sqrt(ring_mixture_variance(dim));
  for (std::uint64_t s = 0; s < n; ++s) {
    double* row = &x[s * static_cast<std::uint64_t>(dim)];
    switch (data) {
      case distribution::gaussian: {
        // the Cholesky factor of the covariance is [[1, 0], [½, ½]]
        const double z0 = normal.next(), z1 = normal.next();
        row[0] = gaussian_mean[0] + z0;
        row[1] = gaussian_mean[1] + 0.5 * z0 + 0.5 * z1;
        break;
      }
      case distribution::diagonal_gaussian:
        for (int i = 0; i < dim; ++i) {
          row[i] = diagonal_gaussian_mean(i) + std::sqrt(diagonal_gaussian_variance(i)) * normal.next();
        }
        break;
      case distribution::ring_mixture: {
        const int c = static_cast<int>(words.next() % ring_mixture_components);
        for (int i = 0; i < dim; ++i) row[i] = ring_mixture_mean(dim, c, i) + mixture_sd * normal.next();
        break;
      }
    }
  }
  return x;
}

}  // namespace scorepath::datasets
