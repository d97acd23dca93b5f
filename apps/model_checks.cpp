#include "model_checks.hpp"

#include <optional>

#include "scorepath/memory.hpp"

namespace scorepath::cli {
namespace {

/// Throws out_of_memory_error naming @p what when @p count doubles cannot be had on this host.
void check_doubles(std::uint64_t a, std::uint64_t b, const char* what) {
  const std::size_t count = checked_size_product(a, b, what);
  check_host_request(checked_size_product(count, sizeof(double), what), what);
}

/// with_builtin_model's checks; returns D.
int check_model(const model_settings& s) {
  const std::string not_compiled = "is not compiled for --model " + s.model + "; use ";
  if (s.model == "gaussian") {
    SCOREPATH_EXPECTS(s.dim == 2, "--dim", s.dim, not_compiled + "2");
    return s.dim;
  }
  if (s.model == "diag-gaussian") {
    SCOREPATH_EXPECTS(s.dim == 2 || s.dim == 16, "--dim", s.dim, not_compiled + "2 or 16");
    return s.dim;
  }
  if (s.model == "gmm") {
    SCOREPATH_EXPECTS(s.dim == 2 || s.dim == 16 || s.dim == 64, "--dim", s.dim,
                      not_compiled + "2, 16 or 64");
    return s.dim;
  }
  SCOREPATH_EXPECTS(s.model == "mlp", "--model", s.model,
                    "must be gaussian, diag-gaussian, gmm or mlp");
  std::optional<mlp_description> file;
  if (!s.weights.empty()) file = read_mlp_file(s.weights);
  const int dim = file ? file->dim : s.dim;
  SCOREPATH_EXPECTS(dim == 2 || dim == 64, s.weights.empty() ? "--dim" : "dim of " + s.weights, dim,
                    "is not compiled for --model mlp; use 2 or 64");
  if (!file) {  // random weights: mlp_score::random's checks, before it draws the parameters
    (void)parse_mlp_activation(s.activation);
    check_doubles(mlp_parameter_count(dim, s.hidden), 1, "--hidden");
  }
  return dim;
}

}  // namespace

checked_inputs check_model_and_samples(const model_settings& s) {
  checked_inputs in;
  in.dim = check_model(s);
  if (s.samples_file.empty()) {
    in.samples = s.samples;
    // the library's words for no samples; N x D doubles must be addressable and fit this host
    SCOREPATH_EXPECTS(in.samples >= 1, "samples", "empty", "must hold at least one sample");
    check_doubles(in.samples, static_cast<std::uint64_t>(in.dim), "--samples");
  } else {
    in.file_samples = read_samples(s.samples_file, in.dim);
    in.samples = in.file_samples.size() / static_cast<std::size_t>(in.dim);
  }
  return in;
}

}  // namespace scorepath::cli
