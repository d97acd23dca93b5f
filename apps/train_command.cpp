// `scorepath train`: its options and their checks. The run is in train_run.cpp.
#include "train_command.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>

#include "command_runs.hpp"
#include "commands.hpp"
#include "model_checks.hpp"
#include "option_values.hpp"
#include "scorepath/datasets.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/samples_file.hpp"
#include "score_models.hpp"
#include "thread_option.hpp"
#include "train_checkpoint.hpp"

namespace scorepath::cli {

namespace {

const option_names& train_option_names() {
  static const option_names names{
      {"data", "--data"},           {"dim", "--dim"},
      {"steps", "--steps"},         {"batch", "--batch", false},
      {"probes", "--probes"},       {"law", "--law"},
      {"noise_scale", "--noise-scale"}, {"learning_rate", "--lr"},
      {"weight_decay", "--weight-decay"}, {"clip_norm", "--clip"},
      {"ema_decay", "--ema"},       {"threads", "--threads"},     {"backend", "--backend"},
      {"hidden", "--hidden", false}, {"activation", "--activation"},
      {"samples", "--samples", false}, {"samples_file", "--samples-file", false},
      {"conditioning", "--condition"}, {"beta_min", "--beta-min"},
      {"beta_max", "--beta-max"},   {"sigma_min", "--sigma-min"},
      {"sigma_max", "--sigma-max"}, {"t_min", "--t-min"},
      {"levels", "--levels", false}};
  return names;
}

score_loss parse_loss_option(const std::string& text) {
  if (text == "ssm") return score_loss::ssm;
  if (text == "ssm-vr") return score_loss::ssm_vr;
  if (text == "ism") return score_loss::ism;
  if (text == "dsm") return score_loss::dsm;
  throw invalid_argument_error("--loss", text, "must be ssm, ssm-vr, ism or dsm", __FILE__,
                               __LINE__);
}

/// FNV-1a over the bytes of every value (the checkpoint's guard against other data).
std::uint64_t fnv1a(const std::vector<double>& a, const std::vector<double>& b) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const std::vector<double>* v : {&a, &b}) {
    for (double x : *v) {
      unsigned char bytes[sizeof(double)];
      std::memcpy(bytes, &x, sizeof x);
      for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
    }
  }
  return h;
}

template <class T>
void check_library(const train_settings& s, const train_inputs& in) {
  const noise_conditioning cond = make_conditioning(s);
  check_noise_conditioning(cond);
  const mlp_network<T> net(
      in.dim, s.hidden, parse_mlp_activation(s.activation),
      std::vector<T>(mlp_parameter_count(in.dim, s.hidden, cond.features()), T(0)), cond);
  const std::vector<T> train(in.train.begin(), in.train.end());
  const context ctx = make_context("cpu", s.threads);
  validate_training(ctx, net, host_input(train.data(), train.size()), make_train_options(s));
}

}  // namespace

train_options make_train_options(const train_settings& s) {
  train_options o;
  o.loss.loss = parse_loss_option(s.loss);
  o.loss.probes = s.probes;
  o.loss.law = parse_law_option("--law", s.law);
  o.loss.half_scaling = s.half_scaling;
  o.loss.noise_scale = s.noise_scale;
  o.adam.learning_rate = s.learning_rate;
  o.adam.weight_decay = s.weight_decay;
  o.adam.clip_norm = s.clip;
  o.adam.warmup_steps = s.warmup;
  o.adam.ema_decay = s.ema;
  o.steps = s.steps;
  o.batch = s.batch;
  o.seed = s.seed;
  return o;
}

noise_conditioning make_conditioning(const train_settings& s) {
  noise_conditioning c;
  c.kind = parse_conditioning_kind(s.condition);
  c.beta_min = s.beta_min;
  c.beta_max = s.beta_max;
  c.sigma_min = s.sigma_min;
  c.sigma_max = s.sigma_max;
  c.levels = s.levels;
  c.t_min = s.t_min;
  return c;
}

context train_context(const train_settings& s) {
  const bool distributed = processes().distributed();
  const context ctx = make_context(s.backend, s.threads, !distributed);
  SCOREPATH_EXPECTS(!distributed || ctx.kind() == backend::cpu, "--backend", s.backend,
                    "must be auto or cpu in a run of several processes (they train on the CPU)");
  return ctx;
}

train_inputs check_train(const train_settings& s) {
  (void)make_train_options(s);  // names: --loss, --law
  (void)train_context(s);       // names: --backend, --threads
  (void)make_conditioning(s);   // name: --condition
  if (!s.levels.empty() && s.condition != "levels") {
    std::string typed;
    for (double v : s.levels) typed += (typed.empty() ? "" : ",") + number_text(v);
    throw invalid_argument_error("--levels", typed, "needs --condition levels", __FILE__, __LINE__);
  }
  SCOREPATH_EXPECTS(s.condition != "levels" || !s.levels.empty(), "--condition", s.condition,
                    "needs --levels: the noise levels, decreasing");
  check_precision_option(s.precision);
  check_thread_option(s.threads);
  SCOREPATH_EXPECTS(std::isfinite(s.held_out) && s.held_out >= 0 && s.held_out <= 0.5,
                    "--held-out", number_text(s.held_out), "must be between 0 and 0.5");
  SCOREPATH_EXPECTS(s.log_every >= 1, "--log-every", s.log_every, "must be at least 1");
  SCOREPATH_EXPECTS(s.checkpoint_every == 0 || !s.checkpoint.empty(), "--checkpoint-every",
                    s.checkpoint_every, "needs --checkpoint");

  train_inputs in;
  std::vector<double> rows;
  const double largest =
      s.precision == "float" ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  if (!s.samples_file.empty()) {
    samples_file_options o;
    o.largest = largest;
    o.precision = s.precision;
    o.parameter = "--samples-file";
    samples_table table = read_samples_file_any_dim(s.samples_file, o);
    in.dim = table.dim;
    rows = std::move(table.values);
  } else {
    const datasets::distribution data = datasets::parse_distribution(s.data);
    (void)datasets::expected_ism(data, s.dim);  // checks --dim for the data set
    SCOREPATH_EXPECTS(s.samples >= 2, "--samples", s.samples, "must be at least 2");
    in.dim = s.dim;
    rows = datasets::draw_samples(data, s.dim, s.samples, s.seed);
  }
  const std::uint64_t n = rows.size() / static_cast<std::size_t>(in.dim);
  SCOREPATH_EXPECTS(n >= 2, s.samples_file.empty() ? "--samples" : "--samples-file",
                    s.samples_file.empty() ? std::to_string(n) : s.samples_file,
                    "must give at least two samples");
  // The last ⌊held_out·N⌋ rows are held out (at most N − 2, so two train).
  std::uint64_t held = static_cast<std::uint64_t>(std::floor(s.held_out * static_cast<double>(n)));
  if (held > n - 2) held = n - 2;
  const auto split = static_cast<std::ptrdiff_t>((n - held) * in.dim);
  in.train.assign(rows.begin(), rows.begin() + split);
  in.held_out.assign(rows.begin() + split, rows.end());
  in.data_checksum = fnv1a(in.train, in.held_out);
  SCOREPATH_EXPECTS(s.batch >= 1 && s.batch <= n - held, "--batch", s.batch,
                    "must be between 1 and the training rows (" + std::to_string(n - held) + ")");
  if (s.precision == "float") {
    check_library<float>(s, in);
  } else {
    check_library<double>(s, in);
  }
  if (!s.resume.empty()) {
    train_checkpoint c = read_checkpoint(s.resume);
    const nlohmann::json want = train_config_json(s, in);
    // Checkpoints written before conditioning existed were unconditioned.
    if (!c.config.contains("conditioning")) c.config["conditioning"] = {{"kind", "none"}};
    for (const auto& [key, value] : want.items()) {
      SCOREPATH_EXPECTS(c.config.contains(key) && c.config[key] == value, "--resume", s.resume,
                        "was written by a run with another " + key + " (" +
                            (c.config.contains(key) ? c.config[key].dump() : "none") + ", not " +
                            value.dump() + ")");
    }
    SCOREPATH_EXPECTS(c.state.step <= s.steps, "--steps", s.steps,
                      "must be at least the checkpoint's step " + std::to_string(c.state.step));
    in.resume_network = std::move(c.network);
    in.resume_state = std::move(c.state);
  }
  return in;
}

void add_train_command(CLI::App& app, cli_mode mode) {
  auto s = std::make_shared<train_settings>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train an MLP score network on a data set (SSM, SSM-VR, ISM or DSM, with Adam)");
  cmd->add_option("--data", s->data, "ring, moons, checkerboard, swiss-roll, gaussian or "
                                     "diag-gaussian")
      ->capture_default_str();
  cmd->add_option("--dim", s->dim, "dimension D of --data (2 for the 2-D sets)")
      ->transform(decimal_integer<int>())
      ->capture_default_str();
  cmd->add_option("--samples", s->samples, "rows drawn from --data")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--samples-file", s->samples_file,
                  "train on rows of numbers from this file instead (D from its first row)");
  cmd->add_option("--held-out", s->held_out, "fraction of the rows kept for the held-out loss")
      ->capture_default_str();
  cmd->add_option("--loss", s->loss, "ssm, ssm-vr, ism or dsm")->capture_default_str();
  cmd->add_option("--probes,-m", s->probes, "probes per sample M (ssm, ssm-vr)")
      ->transform(decimal_integer<std::uint32_t>())
      ->capture_default_str();
  cmd->add_option("--law", s->law, "gaussian, rademacher, sphere or orthogonal")
      ->capture_default_str();
  cmd->add_flag("--half", s->half_scaling, "train on Song et al.'s 1/2-scaled losses");
  cmd->add_option("--noise-scale", s->noise_scale, "noise sigma of dsm (unconditioned networks)")
      ->capture_default_str();
  cmd->add_option("--condition", s->condition,
                  "condition the network on noise: none, vp, ve (time t) or levels (--levels); "
                  "trains on perturbed data, each term weighted by sigma^2")
      ->capture_default_str();
  cmd->add_option("--beta-min", s->beta_min, "vp: beta(0)")->capture_default_str();
  cmd->add_option("--beta-max", s->beta_max, "vp: beta(1)")->capture_default_str();
  cmd->add_option("--sigma-min", s->sigma_min, "ve: sigma_min")->capture_default_str();
  cmd->add_option("--sigma-max", s->sigma_max, "ve: sigma_max")->capture_default_str();
  cmd->add_option("--t-min", s->t_min, "vp, ve: smallest training time")->capture_default_str();
  cmd->add_option("--levels", s->levels, "levels: noise levels sigma_1 > ... > sigma_L")
      ->delimiter(',');
  add_list_option(cmd, "--hidden", s->hidden, "hidden widths");
  cmd->add_option("--activation", s->activation, "softplus, tanh, silu or elu")
      ->capture_default_str();
  cmd->add_option("--steps", s->steps, "optimizer steps (in all, when resuming)")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--batch", s->batch, "rows per step")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--lr", s->learning_rate, "Adam learning rate")->capture_default_str();
  cmd->add_option("--weight-decay", s->weight_decay, "decoupled weight decay")
      ->capture_default_str();
  cmd->add_option("--clip", s->clip, "gradient-norm clipping (0: off)")->capture_default_str();
  cmd->add_option("--warmup", s->warmup, "linear learning-rate warm-up steps")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--ema", s->ema, "moving-average decay of the weights (0: off); --out then "
                                   "holds the average")
      ->capture_default_str();
  cmd->add_option("--log-every", s->log_every, "steps between rows of the loss log")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--seed", s->seed, "data, initial weights, shuffles and probes")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--precision", s->precision, "float or double")->capture_default_str();
  cmd->add_option("--backend", s->backend, "where the layers run: auto, cpu or cuda")
      ->capture_default_str();
  cmd->add_option("--threads", s->threads, "CPU threads (0: OpenMP default)")
      ->transform(decimal_integer<int>());
  cmd->add_option("--out", s->out, "write the trained weights to this file (mlp_file.hpp)");
  cmd->add_option("--log-csv", s->log_csv, "write the loss log as CSV");
  cmd->add_option("--log-json", s->log_json, "write the loss log and settings as JSON");
  cmd->add_option("--checkpoint", s->checkpoint, "checkpoint file for --resume");
  cmd->add_option("--checkpoint-every", s->checkpoint_every,
                  "steps between checkpoints (0: at the end only)")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--resume", s->resume, "continue the run saved in this checkpoint");
  refuse_missing_values(cmd);
  cmd->callback([cmd, s, mode] {
    naming_options(*cmd, train_option_names(), [&] {
      train_inputs in = check_train(*s);
      if (mode == cli_mode::validate_only) return;
      run_train(*s, in);
    });
  });
}

}  // namespace scorepath::cli
