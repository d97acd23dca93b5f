#include "run_output.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace scorepath::cli {
namespace {

/// Exact values at save point @p s, component @p c, if the SDE has them.
std::optional<moments> exact_at(const run_result& run, std::size_t s, int c) {
  return exact_em_moments(run.spec, c, run.report.save_steps[s], run.options.t0,
                          run.report.step_size);
}

std::string formatted(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

}  // namespace

std::optional<double> standard_error(double se, std::uint64_t count) {
  if (count < 2) return std::nullopt;
  return se;
}

std::string std_error_text(const char* format, double se, std::uint64_t count) {
  return count < 2 ? std::string("n/a") : formatted(format, se);
}

std::string z_text(const char* format, double estimate, double exact, double se,
                   std::uint64_t count) {
  if (count < 2 || se == 0.0) return "n/a";
  return formatted(format, (estimate - exact) / se);
}

void print_summary(const run_result& run) {
  const em_report& r = run.report;
  const double path_steps = static_cast<double>(r.paths) * static_cast<double>(run.options.steps);
  std::printf("%s, %d-D, %llu paths x %llu steps (h = %.6g), %s, %s backend\n",
              run.spec.name.c_str(), r.dim, static_cast<unsigned long long>(r.paths),
              static_cast<unsigned long long>(run.options.steps), r.step_size,
              run.precision.c_str(), to_string(r.used));
  std::printf("%.3f s, %.3e path-steps/s; replay with seed %llu, first subsequence %llu\n",
              run.seconds, path_steps / run.seconds, static_cast<unsigned long long>(r.rng.seed),
              static_cast<unsigned long long>(r.rng.next_subsequence));
  if (r.statistics.empty()) return;
  std::printf("%8s %9s %4s %14s %11s %14s %8s %12s %12s %12s\n", "step", "t", "comp", "mean",
              "std.err", "exact mean", "z", "variance", "exact var", "min / max");
  for (std::size_t s = 0; s < r.save_steps.size(); ++s) {
    for (int c = 0; c < r.dim; ++c) {
      const moment_summary& m = r.at(s, c);
      const auto exact = exact_at(run, s, c);
      const std::string se = std_error_text("%.3e", m.std_error, m.count);
      if (exact) {
        std::printf("%8llu %9.4g %4d %14.7g %11s %14.7g %8s %12.5g %12.5g %12.4g / %.4g\n",
                    static_cast<unsigned long long>(r.save_steps[s]), r.save_times[s], c, m.mean,
                    se.c_str(), exact->mean,
                    z_text("%.2f", m.mean, exact->mean, m.std_error, m.count).c_str(),
                    m.variance, exact->variance, m.min, m.max);
      } else {
        std::printf("%8llu %9.4g %4d %14.7g %11s %14s %8s %12.5g %12s %12.4g / %.4g\n",
                    static_cast<unsigned long long>(r.save_steps[s]), r.save_times[s], c, m.mean,
                    se.c_str(), "-", "-", m.variance, "-", m.min, m.max);
      }
    }
  }
}

void write_statistics_csv(const run_result& run, std::ostream& out) {
  out.precision(17);
  out << "step,t,component,count,mean,std_error,variance,min,max,exact_mean,exact_variance\n";
  const em_report& r = run.report;
  for (std::size_t s = 0; s < r.save_steps.size(); ++s) {
    for (int c = 0; c < r.dim; ++c) {
      const moment_summary& m = r.at(s, c);
      const auto exact = exact_at(run, s, c);
      out << r.save_steps[s] << ',' << r.save_times[s] << ',' << c << ',' << m.count << ','
          << m.mean << ',';
      if (const auto se = standard_error(m.std_error, m.count)) out << *se;
      out << ',' << m.variance << ',' << m.min << ',' << m.max << ',';
      if (exact) out << exact->mean << ',' << exact->variance;
      else out << ',';
      out << '\n';
    }
  }
}

void write_json(const run_result& run, std::ostream& out) {
  const em_report& r = run.report;
  nlohmann::json j;
  j["sde"] = run.spec.name;
  j["dim"] = r.dim;
  j["precision"] = run.precision;
  j["backend"] = to_string(r.used);
  j["paths"] = r.paths;
  j["steps"] = run.options.steps;
  j["t0"] = run.options.t0;
  j["t1"] = run.options.t1;
  j["step_size"] = r.step_size;
  j["rng"] = {{"seed", r.rng.seed}, {"first_subsequence", r.rng.next_subsequence}};
  j["seconds"] = run.seconds;
  j["path_steps_per_second"] =
      static_cast<double>(r.paths) * static_cast<double>(run.options.steps) / run.seconds;
  nlohmann::json stats = nlohmann::json::array();
  for (std::size_t s = 0; s < r.save_steps.size() && !r.statistics.empty(); ++s) {
    for (int c = 0; c < r.dim; ++c) {
      const moment_summary& m = r.at(s, c);
      const auto se = standard_error(m.std_error, m.count);
      nlohmann::json row = {{"step", r.save_steps[s]}, {"t", r.save_times[s]},
                            {"component", c},          {"count", m.count},
                            {"mean", m.mean},
                            {"std_error", se ? nlohmann::json(*se) : nlohmann::json()},
                            {"variance", m.variance},  {"min", m.min},
                            {"max", m.max}};
      if (const auto exact = exact_at(run, s, c)) {
        row["exact_mean"] = exact->mean;
        row["exact_variance"] = exact->variance;
      }
      stats.push_back(row);
    }
  }
  j["statistics"] = stats;
  out << j.dump(2) << '\n';
}

void write_states_csv(const run_result& run, std::ostream& out) {
  if (run.final_states.empty()) throw std::runtime_error("scorepath: no final states were kept");
  out.precision(9);
  const std::uint64_t paths = run.report.paths;
  out << "path";
  for (int c = 0; c < run.report.dim; ++c) out << ",x" << c;
  out << '\n';
  for (std::uint64_t p = 0; p < paths && out; ++p) {
    out << p;
    for (int c = 0; c < run.report.dim; ++c) out << ',' << run.final_states[c * paths + p];
    out << '\n';
  }
}

void write_saved_csv(const run_result& run, std::ostream& out) {
  if (run.saved_states.empty()) throw std::runtime_error("scorepath: no saved states were kept");
  out.precision(9);
  const std::uint64_t paths = run.report.paths;
  const int dim = run.report.dim;
  out << "path,step,t";
  for (int c = 0; c < dim; ++c) out << ",x" << c;
  out << '\n';
  for (std::uint64_t p = 0; p < paths && out; ++p) {
    for (std::size_t s = 0; s < run.report.save_steps.size(); ++s) {
      out << p << ',' << run.report.save_steps[s] << ',' << run.report.save_times[s];
      for (int c = 0; c < dim; ++c) out << ',' << run.saved_states[(s * dim + c) * paths + p];
      out << '\n';
    }
  }
}

std::string first_non_finite(const run_result& run) {
  const em_report& r = run.report;
  for (std::size_t s = 0; s < r.save_steps.size() && !r.statistics.empty(); ++s) {
    for (int c = 0; c < r.dim; ++c) {
      const moment_summary& m = r.at(s, c);
      const std::pair<const char*, double> values[] = {
          {"mean", m.mean}, {"variance", m.variance}, {"min", m.min}, {"max", m.max},
          {"standard error", m.count < 2 ? 0.0 : m.std_error}};
      for (const auto& [name, value] : values) {
        if (!std::isfinite(value)) {
          return std::string(name) + " of component " + std::to_string(c) + " at step " +
                 std::to_string(r.save_steps[s]) + " = " + formatted("%g", value);
        }
      }
    }
  }
  return {};
}

}  // namespace scorepath::cli
