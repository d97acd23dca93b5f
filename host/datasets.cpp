// The sampler of the built-in data distributions (datasets.hpp).
#include "scorepath/datasets.hpp"

#include <cmath>
#include <new>
#include <utility>
#include <string>

#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/normals.hpp"

namespace scorepath::datasets {

namespace {

void check_dim(distribution data, int dim) {
  switch (data) {
    case distribution::gaussian:
    case distribution::two_moons:
    case distribution::checkerboard:
    case distribution::swiss_roll:
      SCOREPATH_EXPECTS(dim == 2, "dim", dim,
                        std::string("must be 2 for ") + to_string(data));
      return;
    case distribution::diagonal_gaussian:
    case distribution::ring_mixture:
      SCOREPATH_EXPECTS(dim >= 1, "dim", dim, "must be at least 1");
      return;
  }
  throw invalid_argument_error("data", std::to_string(static_cast<int>(data)),
                               "must be gaussian, diagonal_gaussian, ring_mixture, two_moons, "
                               "checkerboard or swiss_roll",
                               __FILE__, __LINE__);
}

/// A uniform draw in [0, 1) from two words (53 bits).
double uniform01(philox_words<std::uint32_t>& words) {
  const std::uint32_t lo = words.next(), hi = words.next();
  return to_double53(lo, hi) * 0x1p-53;
}

constexpr double pi = 3.14159265358979323846;

}  // namespace

const char* to_string(distribution data) noexcept {
  switch (data) {
    case distribution::gaussian: return "gaussian";
    case distribution::diagonal_gaussian: return "diagonal_gaussian";
    case distribution::ring_mixture: return "ring_mixture";
    case distribution::two_moons: return "two_moons";
    case distribution::checkerboard: return "checkerboard";
    case distribution::swiss_roll: return "swiss_roll";
  }
  return "unknown";
}

distribution parse_distribution(const std::string& text) {
  const std::pair<const char*, distribution> names[] = {
      {"gaussian", distribution::gaussian},         {"diagonal_gaussian", distribution::diagonal_gaussian},
      {"diag-gaussian", distribution::diagonal_gaussian}, {"ring_mixture", distribution::ring_mixture},
      {"ring", distribution::ring_mixture},         {"two_moons", distribution::two_moons},
      {"moons", distribution::two_moons},           {"checkerboard", distribution::checkerboard},
      {"swiss_roll", distribution::swiss_roll},     {"swiss-roll", distribution::swiss_roll}};
  for (const auto& [name, value] : names) {
    if (text == name) return value;
  }
  throw invalid_argument_error("data", text,
                               "must be gaussian, diag-gaussian, ring, moons, checkerboard or "
                               "swiss-roll",
                               __FILE__, __LINE__);
}

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
      case distribution::two_moons: {
        const bool second = (words.next() >> 31) != 0;
        const double t = pi * uniform01(words);
        row[0] = (second ? 1.0 - std::cos(t) : std::cos(t)) + 0.1 * normal.next();
        row[1] = (second ? 0.5 - std::sin(t) : std::sin(t)) + 0.1 * normal.next();
        break;
      }
      case distribution::checkerboard: {
        // Dark square k of 8: row j = k / 2, column i = 2·(k mod 2) + (j mod 2), in [−2, 2]².
        const int k = static_cast<int>(words.next() % 8u);
        const int j = k / 2, i = 2 * (k % 2) + (j % 2);
        row[0] = -2.0 + i + uniform01(words);
        row[1] = -2.0 + j + uniform01(words);
        break;
      }
      case distribution::swiss_roll: {
        const double t = 1.5 * pi * (1.0 + 2.0 * uniform01(words));
        row[0] = t * std::cos(t) / 3.0 + 0.1 * normal.next();
        row[1] = t * std::sin(t) / 3.0 + 0.1 * normal.next();
        break;
      }
    }
  }
  return x;
}

}  // namespace scorepath::datasets
