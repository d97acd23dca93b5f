#include "model_checks.hpp"

#include <algorithm>
#include <cfloat>
#include <optional>

#include "scorepath/memory.hpp"
#include "scorepath/samples_file.hpp"

namespace scorepath::cli {

const option_names& model_option_names() {
  static const option_names names{
      {"probes", "--probes"},   {"probe_counts", "--probes", false},
      {"laws", "--laws", false},       {"replicates", "--replicates"},
      {"target_relative_error", "--target"},
      {"threads", "--threads"}, {"backend", "--backend"},
      {"samples", "--samples", false}, {"hidden", "--hidden", false},
      {"activation", "--activation"}};
  return names;
}

namespace {

/// @throw out_of_memory_error naming @p option when a × b values of @p bytes_each bytes overflow
///        or exceed host_memory_limit()
void check_values(std::uint64_t a, std::uint64_t b, std::size_t bytes_each, const char* option) {
  const std::size_t count = checked_size_product(a, b, option);
  const std::size_t bytes = checked_size_product(count, bytes_each, option);
  check_host_request(bytes, option);
}

/// with_builtin_model's checks (builtin_model_dim), and those of random MLP weights; returns D.
int check_model(const model_settings& s, const mlp_description* file, std::size_t scalar_bytes) {
  const int dim = builtin_model_dim(s, file);
  if (s.model == "mlp" && file == nullptr) {
    // random weights: mlp_score::random's checks, before it draws the parameters
    (void)parse_mlp_activation(s.activation);
    // the parameters drawn in double, and the model's copy in its precision
    check_values(mlp_parameter_count(dim, s.hidden), 1, sizeof(double) + scalar_bytes, "--hidden");
  }
  return dim;
}

}  // namespace

checked_inputs check_model_and_samples(const model_settings& s, const std::string& precision) {
  const bool single = precision == "float";
  const std::size_t scalar_bytes = single ? sizeof(float) : sizeof(double);
  checked_inputs in;
  in.weights = weights_of(s);
  in.dim = check_model(s, in.weights ? &*in.weights : nullptr, scalar_bytes);
  if (s.samples_file.empty()) {
    in.samples = s.samples;
    SCOREPATH_EXPECTS(in.samples >= 1, "--samples", in.samples, "must be at least 1");
    // N x D values drawn in double and copied to the precision (take_samples) must fit
    check_values(in.samples, static_cast<std::uint64_t>(in.dim), sizeof(double) + scalar_bytes,
                 "--samples");
  } else {
    samples_file_options read;
    read.largest = single ? FLT_MAX : DBL_MAX;
    read.precision = single ? "float" : "double";
    read.parameter = "--samples-file";
    in.file_samples = read_samples_file(s.samples_file, in.dim, read);
    in.samples = in.file_samples.size() / static_cast<std::size_t>(in.dim);
  }
  return in;
}

}  // namespace scorepath::cli
