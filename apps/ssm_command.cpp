#include "ssm_command.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "scorepath/mlp_file.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/scores/gaussian.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "scorepath/scores/mlp.hpp"

namespace scorepath::cli {
namespace {

constexpr int mixture_components = 8;
constexpr double pi = 3.141592653589793;

// The built-in data distributions. Each score model is the exact score of its distribution, so
// E[ISM] = −E‖S‖² = −tr(precision) in the Gaussian cases (Stein's identity E[tr J] = −E‖S‖²).

/// Mean of mixture component c, coordinate i: a ring of radius 4 in 2-D, fixed spread points
/// otherwise.
double mixture_mean(int dim, int c, int i) {
  if (dim == 2) return 4.0 * (i == 0 ? std::cos(2 * pi * c / mixture_components)
                                     : std::sin(2 * pi * c / mixture_components));
  return 3.0 * std::sin(1.0 + 0.9 * c + 1.7 * i * (c + 1));
}
double mixture_variance(int dim) { return dim == 2 ? 0.25 : 1.0; }

/// Gaussian in 2-D: mean (1, −1), covariance [[1, 0.5], [0.5, 0.5]], precision [[2, −2], [−2, 4]].
constexpr std::array<double, 2> gauss_mean{1.0, -1.0};
constexpr std::array<double, 4> gauss_precision{2.0, -2.0, -2.0, 4.0};
double diag_mean(int i) { return 0.5 * (i % 3 - 1); }
double diag_variance(int i) { return 0.5 + 0.25 * (i % 4); }

template <class T, std::size_t N>
std::array<T, N> cast_array(const std::array<double, N>& a) {
  std::array<T, N> out{};
  for (std::size_t k = 0; k < N; ++k) out[k] = static_cast<T>(a[k]);
  return out;
}

template <class T, int D>
gaussian_mixture_score<T, D, mixture_components> make_mixture() {
  std::array<T, mixture_components> w{};
  std::array<T, mixture_components * D> mean{}, var{};
  for (int c = 0; c < mixture_components; ++c) {
    w[c] = T(1);
    for (int i = 0; i < D; ++i) {
      mean[c * D + i] = static_cast<T>(mixture_mean(D, c, i));
      var[c * D + i] = static_cast<T>(mixture_variance(D));
    }
  }
  return {w, mean, var};
}

template <class T, int D>
diagonal_gaussian_score<T, D> make_diagonal() {
  std::array<T, D> mean{}, precision{};
  for (int i = 0; i < D; ++i) {
    mean[i] = static_cast<T>(diag_mean(i));
    precision[i] = static_cast<T>(1.0 / diag_variance(i));
  }
  return {mean, precision};
}

/// N samples of the model's data distribution, from Philox subsequence 0 of key @p seed.
std::vector<double> draw_samples(const std::string& model, int dim, std::uint64_t n,
                                 std::uint64_t seed) {
  philox_normals<double> normal(seed, 0u, 0u);
  philox_words<std::uint32_t> words(seed, 1u, 0u);
  std::vector<double> x(n * dim);
  for (std::uint64_t s = 0; s < n; ++s) {
    double* row = &x[s * dim];
    if (model == "gaussian") {
      const double z0 = normal.next(), z1 = normal.next();  // Cholesky factor [[1, 0], [0.5, 0.5]]
      row[0] = gauss_mean[0] + z0;
      row[1] = gauss_mean[1] + 0.5 * z0 + 0.5 * z1;
    } else if (model == "diag-gaussian") {
      for (int i = 0; i < dim; ++i) row[i] = diag_mean(i) + std::sqrt(diag_variance(i)) * normal.next();
    } else {  // the mixture: also the data an MLP is scored on
      const int c = static_cast<int>(words.next() % mixture_components);
      const double sd = std::sqrt(mixture_variance(dim));
      for (int i = 0; i < dim; ++i) row[i] = mixture_mean(dim, c, i) + sd * normal.next();
    }
  }
  return x;
}

/// N rows of D numbers, separated by blanks or commas; '#' lines are comments.
std::vector<double> read_samples(const std::string& path, int dim) {
  std::ifstream in(path);
  SCOREPATH_EXPECTS(in.good(), "--samples-file", path, "must be a readable file");
  std::vector<double> x;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    for (char& ch : line) {
      if (ch == ',') ch = ' ';
    }
    std::istringstream row(line);
    std::string token;
    int count = 0;
    while (row >> token) {
      if (count == 0 && token[0] == '#') break;
      std::size_t used = 0;
      double v = 0.0;
      try {
        v = std::stod(token, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      SCOREPATH_EXPECTS(used == token.size() && std::isfinite(v),
                        path + " line " + std::to_string(line_no), token,
                        "must be a finite number");
      x.push_back(v);
      ++count;
    }
    SCOREPATH_EXPECTS(count == 0 || count == dim, path + " line " + std::to_string(line_no), count,
                      "must hold dim = " + std::to_string(dim) + " numbers");
  }
  SCOREPATH_EXPECTS(!x.empty(), "--samples-file", path, "must hold at least one sample");
  return x;
}

template <class T, class Model>
ssm_result run_model(const Model& model, const ssm_settings& s, std::string description,
                     std::optional<double> exact_ism) {
  constexpr int D = Model::dim;
  const std::vector<double> x64 = s.samples_file.empty()
                                      ? draw_samples(s.model, D, s.samples, s.seed)
                                      : read_samples(s.samples_file, D);
  const std::vector<T> x(x64.begin(), x64.end());
  context ctx(parse_backend_choice(s.backend));
  if (s.backend == "auto" && ctx.kind() == backend::cuda &&
      !detail::ssm_cuda_compiled<Model>::value) {
    ctx = context(backend_choice::cpu);  // this model runs on the CPU backend only
  }
  ctx.set_threads(s.threads);
  ssm_options opt;
  opt.probes = s.probes;
  opt.law = parse_probe_law(s.law);
  opt.half_scaling = s.half_scaling;
  opt.exact_ism = s.exact_ism;
  rng_stream rng(s.seed + 1);
  ssm_result r;
  r.description = std::move(description);
  r.dim = D;
  r.samples = x.size() / D;
  const auto start = std::chrono::steady_clock::now();
  r.report = sliced_score_matching(ctx, rng, model, x, opt);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (exact_ism && s.samples_file.empty()) r.exact_ism = *exact_ism * (s.half_scaling ? 0.5 : 1.0);
  return r;
}

template <class T, int D>
ssm_result run_mlp(const ssm_settings& s) {
  if (!s.weights.empty()) {
    return run_model<T>(load_mlp<T, D>(s.weights), s, "MLP from " + s.weights, std::nullopt);
  }
  const auto model = mlp_score<T, D>::random(s.hidden, parse_mlp_activation(s.activation), s.seed);
  std::string widths;
  for (int w : s.hidden) widths += (widths.empty() ? "" : "-") + std::to_string(w);
  return run_model<T>(model, s, "MLP " + std::to_string(D) + "-" + widths + "-" +
                                    std::to_string(D) + " " + s.activation + ", random weights",
                      std::nullopt);
}

template <class T>
ssm_result run_precision(const ssm_settings& s) {
  const std::string dims_error = "is not compiled for --model " + s.model + "; use ";
  if (s.model == "gaussian") {
    SCOREPATH_EXPECTS(s.dim == 2, "--dim", s.dim, dims_error + "2");
    const gaussian_score<T, 2> model(cast_array<T>(gauss_mean), cast_array<T>(gauss_precision));
    return run_model<T>(model, s, "Gaussian, 2-D, full precision", -6.0);
  }
  if (s.model == "diag-gaussian") {
    double trace = 0.0;
    for (int i = 0; i < s.dim; ++i) trace += 1.0 / diag_variance(i);
    if (s.dim == 2) return run_model<T>(make_diagonal<T, 2>(), s, "diagonal Gaussian, 2-D", -trace);
    SCOREPATH_EXPECTS(s.dim == 16, "--dim", s.dim, dims_error + "2 or 16");
    return run_model<T>(make_diagonal<T, 16>(), s, "diagonal Gaussian, 16-D", -trace);
  }
  if (s.model == "gmm") {
    const std::string what = "mixture of 8 Gaussians, " + std::to_string(s.dim) + "-D";
    if (s.dim == 2) return run_model<T>(make_mixture<T, 2>(), s, what, std::nullopt);
    if (s.dim == 16) return run_model<T>(make_mixture<T, 16>(), s, what, std::nullopt);
    SCOREPATH_EXPECTS(s.dim == 64, "--dim", s.dim, dims_error + "2, 16 or 64");
    return run_model<T>(make_mixture<T, 64>(), s, what, std::nullopt);
  }
  SCOREPATH_EXPECTS(s.model == "mlp", "--model", s.model,
                    "must be gaussian, diag-gaussian, gmm or mlp");
  const int dim = s.weights.empty() ? s.dim : read_mlp_file(s.weights).dim;
  if (dim == 2) return run_mlp<T, 2>(s);
  SCOREPATH_EXPECTS(dim == 64, "MLP dim", dim, "is not compiled; the built-in MLPs have dim 2 or 64");
  return run_mlp<T, 64>(s);
}

}  // namespace

ssm_result run_ssm(const ssm_settings& s) {
  SCOREPATH_EXPECTS(s.precision == "float" || s.precision == "double", "--precision", s.precision,
                    "must be float or double");
  return s.precision == "float" ? run_precision<float>(s) : run_precision<double>(s);
}

void print_ssm(const ssm_result& r, const ssm_settings& s) {
  std::printf("model: %s; %llu samples, %u %s probe(s) each; %s backend, %s\n",
              r.description.c_str(), static_cast<unsigned long long>(r.samples), s.probes,
              s.law.c_str(), to_string(r.report.used), s.precision.c_str());
  std::printf("%-8s %14s %12s\n", "loss", "value", "std error");
  auto row = [](const char* name, const loss_estimate& e) {
    std::printf("%-8s %14.6f %12.6f\n", name, e.value, e.std_error);
  };
  row("SSM", r.report.ssm);
  row("SSM-VR", r.report.ssm_vr);
  if (r.report.ism) row("ISM", *r.report.ism);
  if (r.exact_ism) {
    std::printf("exact E[ISM] for data from this model: %.6f (SSM off by %.2f standard errors)\n",
                *r.exact_ism, (r.report.ssm.value - *r.exact_ism) / r.report.ssm.std_error);
  }
  std::printf("%s: %.3f s, %.3e samples/s, %.3e sample-projections/s%s\n",
              s.half_scaling ? "losses halved (Song et al.)" : "losses unscaled", r.seconds,
              static_cast<double>(r.samples) / r.seconds,
              static_cast<double>(r.samples) * s.probes / r.seconds,
              s.exact_ism ? " (including the exact trace)" : "");
}

void write_ssm_json(const ssm_result& r, const ssm_settings& s, const std::string& path) {
  auto loss = [](const loss_estimate& e) {
    return nlohmann::json{{"value", e.value}, {"std_error", e.std_error}, {"samples", e.count}};
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
  std::ofstream out(path);
  if (!out) throw std::runtime_error("scorepath: cannot write '" + path + "'");
  out << j.dump(2) << '\n';
}

void add_ssm_command(CLI::App& app) {
  auto s = std::make_shared<ssm_settings>();
  auto json_path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "ssm", "Sliced score matching losses of a built-in score model on its data");
  cmd->add_option("--model", s->model, "gaussian (2-D), diag-gaussian (2, 16), gmm (2, 16, 64) or "
                                       "mlp (2, 64)")
      ->capture_default_str();
  cmd->add_option("--dim", s->dim, "dimension D")->capture_default_str();
  cmd->add_option("--weights", s->weights, "MLP weights file (see mlp_file.hpp); default random");
  cmd->add_option("--hidden", s->hidden, "MLP hidden widths for random weights")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--activation", s->activation, "MLP activation for random weights: softplus, "
                                                 "tanh, silu or elu")
      ->capture_default_str();
  cmd->add_option("--samples", s->samples, "samples drawn from the built-in data distribution")
      ->capture_default_str();
  cmd->add_option("--samples-file", s->samples_file, "read samples instead: rows of D numbers");
  cmd->add_option("--probes,-m", s->probes, "probes per sample M")->capture_default_str();
  cmd->add_option("--law", s->law, "gaussian, rademacher, sphere or orthogonal")
      ->capture_default_str();
  cmd->add_flag("--half", s->half_scaling, "report Song et al.'s 1/2-scaled losses");
  cmd->add_flag("!--no-ism", s->exact_ism, "skip the exact ISM loss");
  cmd->add_option("--seed", s->seed, "Philox seed")->capture_default_str();
  cmd->add_option("--precision", s->precision, "float or double")->capture_default_str();
  cmd->add_option("--backend", s->backend, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", s->threads, "CPU threads (0: OpenMP default)");
  cmd->add_option("--json", *json_path, "write the results as JSON to this file");
  cmd->callback([s, json_path] {
    const ssm_result r = run_ssm(*s);
    print_ssm(r, *s);
    if (!json_path->empty()) write_ssm_json(r, *s, *json_path);
  });
}

}  // namespace scorepath::cli
