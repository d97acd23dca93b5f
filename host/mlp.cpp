#include "scorepath/scores/mlp.hpp"

#include <limits>

#include "scorepath/memory.hpp"

#include "scorepath/normals.hpp"

namespace scorepath {

const char* to_string(mlp_activation act) noexcept {
  switch (act) {
    case mlp_activation::softplus: return "softplus";
    case mlp_activation::tanh: return "tanh";
    case mlp_activation::silu: return "silu";
    case mlp_activation::elu: return "elu";
  }
  return "unknown";
}

mlp_activation parse_mlp_activation(const std::string& text) {
  for (mlp_activation act : {mlp_activation::softplus, mlp_activation::tanh, mlp_activation::silu,
                             mlp_activation::elu}) {
    if (text == to_string(act)) return act;
  }
  throw invalid_argument_error("activation", text, "must be softplus, tanh, silu or elu", __FILE__,
                               __LINE__);
}

std::size_t mlp_parameter_count(int dim, const std::vector<int>& hidden, int features) {
  SCOREPATH_EXPECTS(dim >= 1, "dim", dim, "must be at least 1");
  SCOREPATH_EXPECTS(features >= 0 && features <= 64, "features", features,
                    "must be between 0 and 64");
  for (std::size_t l = 0; l < hidden.size(); ++l) {
    SCOREPATH_EXPECTS(hidden[l] >= 1, "hidden[" + std::to_string(l) + "]", hidden[l],
                      "must be at least 1");
  }
  constexpr std::size_t limit = std::numeric_limits<std::size_t>::max() / 4;
  std::size_t total = 0;
  std::size_t n_in = static_cast<std::size_t>(dim) + static_cast<std::size_t>(features);
  for (std::size_t l = 0; l <= hidden.size(); ++l) {
    const std::size_t n_out = l < hidden.size() ? static_cast<std::size_t>(hidden[l]) : dim;
    const std::size_t layer = n_out * (n_in + 1);  // widths are below 2³¹: no overflow here
    SCOREPATH_EXPECTS(total <= limit - layer, "hidden", hidden.size(),
                      "widths give more parameters than memory can address");
    total += layer;
    n_in = n_out;
  }
  return total;
}

void check_mlp_view_widths(const std::vector<int>& hidden) {
  SCOREPATH_EXPECTS(hidden.size() <= static_cast<std::size_t>(mlp_view_max_hidden), "hidden size",
                    hidden.size(),
                    "must be at most " + std::to_string(mlp_view_max_hidden) +
                        " hidden layers for an mlp_view (the CUDA backend); use the CPU backend");
  for (std::size_t l = 0; l < hidden.size(); ++l) {
    SCOREPATH_EXPECTS(hidden[l] >= 1 && hidden[l] <= mlp_view_max_width,
                      "hidden[" + std::to_string(l) + "]", hidden[l],
                      "must be between 1 and " + std::to_string(mlp_view_max_width) +
                          " for an mlp_view (the CUDA backend); use the CPU backend");
  }
}

std::vector<double> mlp_random_parameters(int dim, const std::vector<int>& hidden,
                                          std::uint64_t seed, int features) {
  const std::size_t count = mlp_parameter_count(dim, hidden, features);
  // The doubles drawn here, and the copy in the model's precision that mlp_score::random makes.
  check_host_request(checked_size_product(count, 2 * sizeof(double), "hidden"), "hidden");
  std::vector<double> p = allocating("hidden", [&] { return std::vector<double>(count); });
  philox_normals<double> normals(seed, 0u, 0u);
  std::size_t k = 0;
  int n_in = dim + features;
  for (std::size_t l = 0; l <= hidden.size(); ++l) {
    const int n_out = l < hidden.size() ? hidden[l] : dim;
    const double weight_scale = 1.0 / std::sqrt(static_cast<double>(n_in));
    for (long long e = 0; e < static_cast<long long>(n_out) * n_in; ++e) {
      p[k++] = weight_scale * normals.next();
    }
    for (int j = 0; j < n_out; ++j) p[k++] = 0.1 * normals.next();
    n_in = n_out;
  }
  return p;
}

}  // namespace scorepath
