// `scorepath evaluate`: its options and their checks. The run is in evaluate_run.cpp.
#include "evaluate_command.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "command_runs.hpp"
#include "commands.hpp"
#include "option_values.hpp"
#include "scorepath/datasets.hpp"
#include "scorepath/samples_file.hpp"
#include "thread_option.hpp"

namespace scorepath::cli {

namespace {

/// The first @p rows rows of a samples file of any dimension.
samples_table first_rows(const char* option, const std::string& path, std::uint64_t rows) {
  samples_file_options o;
  o.parameter = option;
  samples_table t = read_samples_file_any_dim(path, o);
  const std::size_t keep = std::min<std::size_t>(t.values.size(), rows * t.dim);
  t.values.resize(keep);
  SCOREPATH_EXPECTS(t.values.size() / t.dim >= 2, option, path, "must hold at least two rows");
  return t;
}

}  // namespace

evaluate_inputs check_evaluate(const evaluate_settings& s) {
  check_thread_option(s.threads);
  SCOREPATH_EXPECTS(s.rows >= 2 && s.rows <= 100000, "--rows", s.rows,
                    "must be between 2 and 100000 (the measures cost rows^2)");
  SCOREPATH_EXPECTS(std::isfinite(s.bandwidth) && s.bandwidth >= 0, "--bandwidth",
                    number_text(s.bandwidth), "must be positive, or 0 for the median distance");
  SCOREPATH_EXPECTS(s.projections >= 1 && s.projections <= 100000, "--projections", s.projections,
                    "must be between 1 and 100000");
  SCOREPATH_EXPECTS(!s.samples.empty(), "--samples", "none", "must name the samples file to judge");
  SCOREPATH_EXPECTS(s.reference.empty() != s.data.empty(), "--reference", s.reference,
                    "give either --reference (a samples file) or --data (a built-in law)");
  evaluate_inputs in;
  samples_table judged = first_rows("--samples", s.samples, s.rows);
  in.dim = judged.dim;
  in.samples = std::move(judged.values);
  const std::uint64_t n = in.samples.size() / in.dim;
  if (!s.reference.empty()) {
    samples_table ref = first_rows("--reference", s.reference, s.rows);
    SCOREPATH_EXPECTS(ref.dim == in.dim, "--reference", s.reference,
                      "has " + std::to_string(ref.dim) + " columns, --samples has " +
                          std::to_string(in.dim));
    in.reference = std::move(ref.values);
  } else {
    const datasets::distribution data = datasets::parse_distribution(s.data);
    (void)datasets::expected_ism(data, in.dim);  // the data set exists at the samples' D
    in.reference = datasets::draw_samples(data, in.dim, n, s.seed + 1);
    in.second_draw = datasets::draw_samples(data, in.dim, n, s.seed + 2);
    if (data == datasets::distribution::ring_mixture) in.mixture = ring_mixture_components(in.dim);
  }
  return in;
}

void add_evaluate_command(CLI::App& app, cli_mode mode) {
  auto s = std::make_shared<evaluate_settings>();
  CLI::App* cmd = app.add_subcommand(
      "evaluate", "Sample quality: energy distance, MMD and sliced Wasserstein against a "
                  "reference sample or a built-in law");
  cmd->add_option("--samples", s->samples, "the samples file to judge (rows of D numbers)");
  cmd->add_option("--reference", s->reference, "a reference samples file of the same D, or");
  cmd->add_option("--data", s->data, "a built-in data set drawn as the reference (ring, moons, "
                                     "checkerboard, swiss-roll, gaussian, diag-gaussian)");
  cmd->add_option("--rows", s->rows, "rows used from each side (the first ones)")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--bandwidth", s->bandwidth, "MMD kernel bandwidth (0: the median distance)")
      ->capture_default_str();
  cmd->add_option("--projections", s->projections, "sliced Wasserstein directions")
      ->transform(decimal_integer<std::uint32_t>())
      ->capture_default_str();
  cmd->add_option("--seed", s->seed, "draws of --data and the projections")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--threads", s->threads, "CPU threads (0: OpenMP default)")
      ->transform(decimal_integer<int>());
  cmd->add_option("--json", s->json, "write the measures as JSON to this file");
  refuse_missing_values(cmd);
  cmd->callback([cmd, s, mode] {
    naming_options(*cmd, {{"threads", "--threads"}, {"dim", "--samples", false},
                          {"data", "--data"}}, [&] {
      const evaluate_inputs in = check_evaluate(*s);
      if (mode == cli_mode::validate_only) return;
      run_evaluate(*s, in);
    });
  });
}

}  // namespace scorepath::cli
