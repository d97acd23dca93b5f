// Running sliced score matching on checked settings: the losses, printed and written as JSON.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_app.hpp"
#include "command_runs.hpp"
#include "output_file.hpp"
#include "processes.hpp"
#include "run_output.hpp"
#include "ssm_command.hpp"
#if SCOREPATH_HAVE_MPI
#include "scorepath/mpi/ssm.hpp"
#endif

namespace scorepath::cli {
namespace {

template <class T, class Model>
ssm_result run_model(const Model& model, const ssm_settings& s, checked_inputs& in,
                     std::string description, std::optional<double> exact_ism) {
  const int D = score_model_dim(model);
  const std::vector<T> x = take_samples<T>(s, in);
  const ssm_call call = prepare_ssm(model, s, x);
  rng_stream rng(s.seed + 1);
  ssm_result r;
  r.description = std::move(description);
  r.dim = D;
  r.samples = x.size() / D;
  const auto start = std::chrono::steady_clock::now();
#if SCOREPATH_HAVE_MPI
  if (processes().distributed()) {
    // Each rank scores its share of the rows; the losses are those of one process, to the bit.
    const item_share mine = mpi::local_share(MPI_COMM_WORLD, r.samples);
    const std::size_t dim = static_cast<std::size_t>(D);
    r.report = mpi::sliced_score_matching(
        MPI_COMM_WORLD, call.ctx, rng, model,
        host_input(x.data() + mine.begin * dim, mine.count * dim), call.options);
  } else
#endif
  {
    r.report = sliced_score_matching(call.ctx, rng, model, x, call.options);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (exact_ism && s.samples_file.empty()) r.exact_ism = *exact_ism * (s.half_scaling ? 0.5 : 1.0);
  return r;
}

template <class T>
ssm_result run_precision(const ssm_settings& s, checked_inputs& in) {
  ssm_result result;
  with_any_dim_model<T>(s, in.weights_file(), [&](const auto& model, std::string description,
                               std::optional<double> exact_ism) {
    result = run_model<T>(model, s, in, std::move(description), exact_ism);
  });
  return result;
}

}  // namespace

ssm_result run_ssm(const ssm_settings& s) {
  checked_inputs in = check_ssm(s);
  return run_ssm(s, in);
}

ssm_result run_ssm(const ssm_settings& s, checked_inputs& in) {
  return s.precision == "float" ? run_precision<float>(s, in) : run_precision<double>(s, in);
}

void print_ssm(const ssm_result& r, const ssm_settings& s) {
  std::printf("model: %s; %llu samples, %u %s probe(s) each; %s backend, %s\n",
              r.description.c_str(), static_cast<unsigned long long>(r.samples), s.probes,
              s.law.c_str(), to_string(r.report.used), s.precision.c_str());
  std::printf("%-8s %14s %12s\n", "loss", "value", "std error");
  auto row = [](const char* name, const loss_estimate& e) {
    std::printf("%-8s %14.6f %12s\n", name, e.value,
                std_error_text("%.6f", e.std_error, e.count).c_str());
  };
  row("SSM", r.report.ssm);
  row("SSM-VR", r.report.ssm_vr);
  if (r.report.ism) row("ISM", *r.report.ism);
  if (r.exact_ism) {
    std::printf("exact E[ISM] for data from this model: %.6f (SSM off by %s standard errors)\n",
                *r.exact_ism,
                z_text("%.2f", r.report.ssm.value, *r.exact_ism, r.report.ssm.std_error,
                       r.report.ssm.count)
                    .c_str());
  }
  std::printf("%s: %.3f s, %.3e samples/s, %.3e sample-projections/s%s\n",
              s.half_scaling ? "losses halved (Song et al.)" : "losses unscaled", r.seconds,
              static_cast<double>(r.samples) / r.seconds,
              static_cast<double>(r.samples) * s.probes / r.seconds,
              s.exact_ism ? " (including the exact trace)" : "");
}

void write_ssm_json(const ssm_result& r, const ssm_settings& s, const std::string& path) {
  auto loss = [](const loss_estimate& e) {
    const auto se = standard_error(e.std_error, e.count);
    return nlohmann::json{{"value", e.value},
                          {"std_error", se ? nlohmann::json(*se) : nlohmann::json()},
                          {"samples", e.count}};
  };
  nlohmann::json j;
  j["model"] = {{"name", s.model}, {"description", r.description}, {"dim", r.dim}};
  j["settings"] = {{"samples", r.samples}, {"probes", s.probes},   {"law", s.law},
                   {"half_scaling", s.half_scaling}, {"precision", s.precision},
                   {"backend", to_string(r.report.used)}, {"seed", s.seed}};
  j["ssm"] = loss(r.report.ssm);
  j["ssm_vr"] = loss(r.report.ssm_vr);
  if (r.report.ism) j["ism"] = loss(*r.report.ism);
  if (r.exact_ism) j["exact_ism"] = *r.exact_ism;
  j["seconds"] = r.seconds;
  j["samples_per_second"] = static_cast<double>(r.samples) / r.seconds;
  output_file out("--json", path);
  out.stream() << j.dump(2) << '\n';
  out.commit();
}

namespace {

/// The first loss of @p r that is not finite, described; empty when all are finite.
std::string first_non_finite(const ssm_report& r) {
  auto check = [](const char* name, const loss_estimate& e) -> std::string {
    if (!std::isfinite(e.value)) return std::string(name) + " = " + std::to_string(e.value);
    if (e.count >= 2 && !std::isfinite(e.std_error)) {
      return std::string(name) + "'s standard error = " + std::to_string(e.std_error);
    }
    return {};
  };
  std::string bad = check("SSM", r.ssm);
  if (bad.empty()) bad = check("SSM-VR", r.ssm_vr);
  if (bad.empty() && r.ism) bad = check("ISM", *r.ism);
  return bad;
}

}  // namespace

void run_ssm_command(const ssm_settings& s, const std::string& json_path) {
  // Every check, the input files read among them, ends before the ranks agree (the output paths
  // last), so that no rank fails alone once the others are in the distributed engine.
  checked_inputs in = check_ssm(s);
  check_output_paths({{"--json", json_path}},
                     {{"--weights", s.weights}, {"--samples-file", s.samples_file}});
  const ssm_result r = run_ssm(s, in);
  print_ssm(r, s);
  if (!json_path.empty()) write_ssm_json(r, s, json_path);
  if (const std::string bad = first_non_finite(r.report); !bad.empty()) {
    throw not_finite_results("scorepath: the losses are not finite (" + bad +
                             "): the model overflowed or met an undefined value on these "
                             "samples; check them and the precision (exit status 3)");
  }
}

}  // namespace scorepath::cli
