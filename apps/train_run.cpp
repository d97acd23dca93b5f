// Running `scorepath train` on checked settings: the training loop's log on the terminal, the
// held-out loss, checkpoints, the weights and the loss log written atomically.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_app.hpp"
#include "command_runs.hpp"
#include "output_file.hpp"
#include "run_output.hpp"
#include "scorepath/mlp_file.hpp"
#include "scorepath/training/mlp_network_file.hpp"
#include "processes.hpp"
#include "thread_option.hpp"
#include "train_checkpoint.hpp"
#include "train_command.hpp"
#if SCOREPATH_HAVE_MPI
#include "scorepath/mpi/training.hpp"
#endif

namespace scorepath::cli {

namespace {

/// One row of the loss log.
struct log_row {
  std::uint64_t step = 0;
  loss_estimate train;
  std::optional<loss_estimate> held_out;
  double gradient_norm = 0.0;
  double learning_rate = 0.0;
};

template <class T>
std::vector<double> as_doubles(const std::vector<T>& v) {
  return std::vector<double>(v.begin(), v.end());
}

void write_text(const char* option, const std::string& path, const std::string& text) {
  output_file out(option, path);
  out.stream() << text;
  out.commit();
}

nlohmann::json loss_json(const loss_estimate& e) {
  const auto se = standard_error(e.std_error, e.count);
  return {{"value", e.value}, {"std_error", se ? nlohmann::json(*se) : nlohmann::json()}};
}

void write_logs(const train_settings& s, const train_inputs& in, const std::vector<log_row>& rows,
                const train_report& report, double seconds) {
  if (!s.log_csv.empty()) {
    std::string csv = "step,train_loss,train_std_error,held_out_loss,held_out_std_error,"
                      "gradient_norm,learning_rate\n";
    auto number = [](double v) {
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", v);
      return std::string(text);
    };
    auto with_error = [&](const loss_estimate& e) {
      const auto se = standard_error(e.std_error, e.count);
      return number(e.value) + "," + (se ? number(*se) : std::string());
    };
    for (const log_row& r : rows) {
      csv += std::to_string(r.step) + "," + with_error(r.train) + "," +
             (r.held_out ? with_error(*r.held_out) : std::string(",")) + "," +
             number(r.gradient_norm) + "," + number(r.learning_rate) + "\n";
    }
    write_text("--log-csv", s.log_csv, csv);
  }
  if (!s.log_json.empty()) {
    nlohmann::json j;
    j["settings"] = train_config_json(s, in);
    j["settings"]["steps"] = s.steps;
    j["rows"] = nlohmann::json::array();
    for (const log_row& r : rows) {
      nlohmann::json row = {{"step", r.step},
                            {"train_loss", loss_json(r.train)},
                            {"gradient_norm", r.gradient_norm},
                            {"learning_rate", r.learning_rate}};
      row["held_out_loss"] = r.held_out ? loss_json(*r.held_out) : nlohmann::json();
      j["rows"].push_back(row);
    }
    j["steps_taken"] = report.steps;
    j["stopped_non_finite"] = report.stopped_non_finite;
    if (report.stopped_non_finite) j["stopped_at"] = report.stopped_at;
    j["seconds"] = seconds;
    write_text("--log-json", s.log_json, j.dump(2) + "\n");
  }
}

template <class T>
void run_precision(const train_settings& s, train_inputs& in) {
  const train_options opt = make_train_options(s);
  const context ctx = train_context(s);
  const mlp_activation act = parse_mlp_activation(s.activation);
  std::optional<mlp_network<T>> made;
  train_state state;
  if (in.resume_network) {
    made.emplace(make_mlp_network<T>(*in.resume_network, s.resume));
    state = std::move(in.resume_state);
  } else {
    made.emplace(mlp_network<T>::random(in.dim, s.hidden, act, s.seed + 3, make_conditioning(s)));
  }
  mlp_network<T>& net = *made;
  const std::vector<T> train(in.train.begin(), in.train.end());
  const std::vector<T> held(in.held_out.begin(), in.held_out.end());
  const std::uint64_t train_rows = train.size() / in.dim, held_rows = held.size() / in.dim;

  std::printf("train: %s, D = %d, %llu training and %llu held-out rows; MLP %d",
              s.samples_file.empty() ? s.data.c_str() : s.samples_file.c_str(), in.dim,
              static_cast<unsigned long long>(train_rows),
              static_cast<unsigned long long>(held_rows), in.dim);
  for (int w : s.hidden) std::printf("-%d", w);
  std::printf("-%d %s, %zu parameters; loss %s", in.dim, s.activation.c_str(),
              net.parameters().size(), s.loss.c_str());
  if (opt.loss.loss == score_loss::ssm || opt.loss.loss == score_loss::ssm_vr) {
    std::printf(" (M = %u %s)", s.probes, s.law.c_str());
  }
  if (net.conditioning().conditioned()) std::printf("; conditioned on %s", s.condition.c_str());
  std::printf("; Adam lr %g, batch %llu, %s, %s\n", s.learning_rate,
              static_cast<unsigned long long>(s.batch), s.precision.c_str(),
              ctx.kind() == backend::cuda ? "CUDA" : "CPU");
  if (state.step > 0) {
    std::printf("resuming from %s at step %llu of %llu\n", s.resume.c_str(),
                static_cast<unsigned long long>(state.step),
                static_cast<unsigned long long>(s.steps));
  }
  std::printf("%8s %14s %10s %14s %10s %10s\n", "step", "train loss", "std error",
              "held-out", "std error", "|grad|");

  auto held_out_loss = [&]() -> std::optional<loss_estimate> {
    if (held_rows == 0) return std::nullopt;
    rng_stream rng(s.seed + 2);  // the same probes at every evaluation: a comparable curve
    const input_span<T> rows = host_input(held.data(), held.size());
#if SCOREPATH_HAVE_MPI
    if (processes().distributed()) {
      return mpi::score_loss_gradient(MPI_COMM_WORLD, ctx, rng, net, rows, opt.loss).loss;
    }
#endif
    return score_loss_gradient(ctx, rng, net, rows, opt.loss).loss;
  };
  auto save_checkpoint = [&](const train_state& at) {
    train_checkpoint c{train_config_json(s, in), describe_mlp_network(net), at};
    write_text("--checkpoint", s.checkpoint, format_checkpoint(c));
  };
  const bool bar = isatty(fileno(stderr)) != 0;
  std::vector<log_row> rows;
  const train_state* last_state = nullptr;
  auto on_step = [&](const train_step& st) {
    last_state = st.state;
    if (st.step % s.log_every == 0 || st.step == s.steps) {
      log_row r{st.step, st.loss, held_out_loss(), st.gradient_norm, st.learning_rate};
      if (bar) std::fprintf(stderr, "\r%60s\r", "");
      std::printf("%8llu %14.6f %10s %14s %10s %10.4g\n", static_cast<unsigned long long>(r.step),
                  r.train.value, std_error_text("%.6f", r.train.std_error, r.train.count).c_str(),
                  r.held_out ? std::to_string(r.held_out->value).c_str() : "-",
                  r.held_out ? std_error_text("%.6f", r.held_out->std_error, r.held_out->count).c_str()
                             : "-",
                  r.gradient_norm);
      std::fflush(stdout);
      rows.push_back(r);
    }
    if (s.checkpoint_every > 0 && st.step % s.checkpoint_every == 0) save_checkpoint(*st.state);
    if (bar && st.step % 10 == 0) {
      std::fprintf(stderr, "\rstep %llu/%llu  loss %.5f", static_cast<unsigned long long>(st.step),
                   static_cast<unsigned long long>(s.steps), st.loss.value);
      std::fflush(stderr);
    }
    return true;
  };
  const auto start = std::chrono::steady_clock::now();
  const input_span<T> data = host_input(train.data(), train.size());
#if SCOREPATH_HAVE_MPI
  // Every rank holds the data and takes the same steps; each computes a share of every gradient.
  const train_report report =
      processes().distributed()
          ? mpi::train_score_model(MPI_COMM_WORLD, ctx, net, data, opt, on_step, &state)
          : train_score_model(ctx, net, data, opt, on_step, &state);
#else
  const train_report report = train_score_model(ctx, net, data, opt, on_step, &state);
#endif
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (bar) std::fprintf(stderr, "\r%60s\r", "");

  if (!s.checkpoint.empty() && last_state != nullptr) save_checkpoint(state);
  if (!s.out.empty()) {
    const std::vector<double> weights =
        s.ema > 0 ? report.average : as_doubles(net.parameters());
    write_text("--out", s.out, format_mlp_text(describe_mlp_network(net, weights)));
  }
  write_logs(s, in, rows, report, seconds);
  std::printf("%llu steps in %.2f s (%.3g samples/s)%s\n",
              static_cast<unsigned long long>(report.steps), seconds,
              static_cast<double>(report.steps) * static_cast<double>(s.batch) / seconds,
              s.out.empty() ? "" : (", weights in " + s.out).c_str());
  if (report.stopped_non_finite) {
    throw not_finite_results(
        "scorepath: training stopped at step " + std::to_string(report.stopped_at) +
        ": the loss, its gradient or the updated weights are not finite; the outputs hold the "
        "weights of step " + std::to_string(report.steps) +
        " (try a smaller --lr or --clip; exit status 3)");
  }
}

}  // namespace

void run_train(const train_settings& s, train_inputs& in) {
  check_output_paths({{"--out", s.out},
                      {"--log-csv", s.log_csv},
                      {"--log-json", s.log_json},
                      {"--checkpoint", s.checkpoint}},
                     {{"--samples-file", s.samples_file}, {"--resume", s.resume}});
  if (s.precision == "float") {
    run_precision<float>(s, in);
  } else {
    run_precision<double>(s, in);
  }
}

}  // namespace scorepath::cli
