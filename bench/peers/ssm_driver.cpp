// Sliced score matching on the CPU backend (or the CUDA backend), for comparison with other
// libraries (bench/peers/peers.py).
//
// For one built-in model it draws N samples, runs sliced_score_matching once with the per-probe
// outputs switched on, and writes everything another implementation needs to recompute the same
// loss with the same numbers:
//
//   <dir>/weights.mlp    the MLP (save_mlp, format in include/scorepath/mlp_file.hpp), or
//   <dir>/gmm.json       the mixture's weights, means and variances (row-major C x D)
//   <dir>/samples.f32    N x D samples, row-major, little-endian float32
//   <dir>/probes.f32     N x M x D probes scorepath drew, [(s*M + j)*D + i], float32
//
// It then times sliced_score_matching (no per-probe outputs) on the same samples: one untimed
// warm-up call, then the best of --repeat calls by wall clock. A JSON object goes to stdout:
// the loss in scorepath's unscaled convention, SSM = mean_s mean_j [(v'S)^2 + 2 v'J v], its
// standard error, the times and the file names.
//
// Models (float): gmm16  gaussian_mixture_score<float, 16, 8>
//                 mlp2   mlp_score<float, 2>,  hidden 128 128, softplus
//                 mlp64  mlp_score<float, 64>, hidden 256 256, softplus
//                 net2   the weights of mlp2 as an mlp_network<float> (D at run time, layers as
//                        matrix products over tiles: training/network_ssm.hpp)
//                 net64  the weights of mlp64 likewise
//
// With --train (net2, net64), the case is one training step on a batch of --samples samples:
// the SSM-VR loss and its parameter gradient (score_loss_gradient) and an Adam step. The probes
// and the gradient of the first step are written too ( <dir>/gradient.f32, the flat parameter
// layout of mlp_file.hpp), and --steps steps are timed per repeat.
//
// With --sample (net2), the case is sampling: --samples paths of the reverse VP SDE (β from 0.1 to
// 20), --steps Euler–Maruyama steps and the final denoising step, with a VP-conditioned network
// 3-128-128-2 of random weights (sampling/samplers.hpp). The weights (version 3 file), 256 points
// with their noise levels and the network's scores there (<dir>/points.f32, sigmas.f32,
// scores.f32) are written so the peer can check its network first; the sampling is timed.
//
// Usage: ssm_driver --model gmm16 --samples 16384 --probes 4 --threads 2 --repeat 5 --dir DIR
//        ssm_driver --model net2 --train --samples 256 --probes 1 --threads 1 --dir DIR
//        ssm_driver --model net2 --sample --samples 4096 --steps 100 --threads 1 --dir DIR
//        ssm_driver --model gmm16 --samples 1048576 --probes 1 --backend cuda --dir DIR
//
// --backend cuda runs the loss (not --train or --sample) on the CUDA backend; the samples stay in
// host memory, so the timed calls include copying them to the device.
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/mlp_file.hpp"
#include "scorepath/model_dim.hpp"
#include "scorepath/rng_stream.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/ssm.hpp"
#include "scorepath/sampling/batch_score.hpp"
#include "scorepath/sampling/samplers.hpp"
#include "scorepath/training/adam.hpp"
#include "scorepath/training/network_scores.hpp"
#include "scorepath/training/loss_gradient.hpp"
#include "scorepath/training/mlp_network_file.hpp"
#include "scorepath/training/network_ssm.hpp"

namespace {

struct settings {
  std::string model = "gmm16";
  std::uint64_t samples = 16384;
  std::uint32_t probes = 1;
  int threads = 1;
  int repeat = 5;
  std::uint64_t seed = 20240717;        // probe stream
  std::uint64_t data_seed = 12345;      // samples and weights
  std::string dir = ".";
  bool train = false;     // time training steps instead of the loss
  bool sample = false;    // time sampling instead of the loss
  int steps = 20;         // training steps per timed repeat
  bool cuda = false;      // the loss on the CUDA backend (--backend cuda)
};

constexpr const char* kUsage =
    "usage: ssm_driver --model gmm16|mlp2|mlp64|net2|net64 --samples N --probes M --threads T\n"
    "                  [--repeat K] [--seed S] [--data-seed S] [--train | --sample] [--steps K]\n"
    "                  [--backend cpu|cuda] --dir DIR\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "ssm_driver: %s\n%s", message.c_str(), kUsage);
  std::exit(2);
}

std::uint64_t parse_count(const std::string& name, const char* text, std::uint64_t least) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < least) {
    usage_error(name + " must be an integer >= " + std::to_string(least) + ", not '" + text + "'");
  }
  return v;
}

settings parse_args(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg == "--train" || arg == "--sample") {
      (arg == "--train" ? s.train : s.sample) = true;
      continue;
    }
    if (i + 1 >= argc) usage_error("option " + arg + " needs a value");
    const char* value = argv[++i];
    if (arg == "--model") {
      s.model = value;
    } else if (arg == "--samples") {
      s.samples = parse_count(arg, value, 1);
    } else if (arg == "--probes") {
      const std::uint64_t m = parse_count(arg, value, 1);
      if (m > 4096) usage_error("--probes must be at most 4096");
      s.probes = static_cast<std::uint32_t>(m);
    } else if (arg == "--threads") {
      const std::uint64_t t = parse_count(arg, value, 1);
      if (t > 1024) usage_error("--threads must be at most 1024");
      s.threads = static_cast<int>(t);
    } else if (arg == "--repeat") {
      const std::uint64_t r = parse_count(arg, value, 1);
      if (r > 1000) usage_error("--repeat must be at most 1000");
      s.repeat = static_cast<int>(r);
    } else if (arg == "--seed") {
      s.seed = parse_count(arg, value, 0);
    } else if (arg == "--data-seed") {
      s.data_seed = parse_count(arg, value, 0);
    } else if (arg == "--steps") {
      const std::uint64_t k = parse_count(arg, value, 1);
      if (k > 100000) usage_error("--steps must be at most 100000");
      s.steps = static_cast<int>(k);
    } else if (arg == "--dir") {
      s.dir = value;
    } else if (arg == "--backend") {
      const std::string b = value;
      if (b != "cpu" && b != "cuda") usage_error("--backend must be cpu or cuda, not '" + b + "'");
      s.cuda = b == "cuda";
    } else {
      usage_error("unknown option " + arg);
    }
  }
  if (s.model != "gmm16" && s.model != "mlp2" && s.model != "mlp64" && s.model != "net2" &&
      s.model != "net64") {
    usage_error("--model must be gmm16, mlp2, mlp64, net2 or net64, not '" + s.model + "'");
  }
  if (s.train && s.model != "net2" && s.model != "net64") {
    usage_error("--train needs --model net2 or net64");
  }
  if (s.sample && (s.model != "net2" || s.train)) usage_error("--sample needs --model net2");
  if (s.cuda && (s.train || s.sample)) usage_error("--backend cuda times the loss only");
  return s;
}

void write_floats(const std::string& path, const std::vector<float>& values) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(float)));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string float_list(const float* v, std::size_t n) {
  std::string s = "[";
  char buf[32];
  for (std::size_t k = 0; k < n; ++k) {
    std::snprintf(buf, sizeof buf, "%s%.9g", k ? ", " : "", static_cast<double>(v[k]));
    s += buf;
  }
  return s + "]";
}

/// @p text as a JSON string literal.
std::string json_string(const std::string& text) {
  std::string s = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') s += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    s += c;
  }
  return s + "\"";
}

/// A model, its samples and how its parameters were written.
template <class Model>
struct problem {
  Model model;
  std::vector<float> samples;
  std::string weights_file;
  std::string description;
};

// An 8-component diagonal mixture with means spread over [-4, 4]^16, and N samples from it.
problem<scorepath::gaussian_mixture_score<float, 16, 8>> make_gmm16(const settings& s) {
  constexpr int D = 16, C = 8;
  std::mt19937_64 gen(s.data_seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::array<float, C> weights;
  std::array<float, C * D> means, variances;
  for (float& w : weights) w = static_cast<float>(0.5 + uniform(gen));
  for (float& m : means) m = static_cast<float>(-4.0 + 8.0 * uniform(gen));
  for (float& v : variances) v = static_cast<float>(0.5 + uniform(gen));
  std::vector<float> samples(s.samples * D);
  for (std::uint64_t k = 0; k < s.samples; ++k) {
    const int c = static_cast<int>(uniform(gen) * C) % C;
    for (int i = 0; i < D; ++i) {
      const double sd = std::sqrt(static_cast<double>(variances[c * D + i]));
      samples[k * D + i] = static_cast<float>(means[c * D + i] + sd * normal(gen));
    }
  }
  const std::string path = s.dir + "/gmm.json";
  std::ofstream out(path);
  out << "{\"dim\": " << D << ", \"components\": " << C
      << ",\n \"weights\": " << float_list(weights.data(), C)
      << ",\n \"means\": " << float_list(means.data(), C * D)
      << ",\n \"variances\": " << float_list(variances.data(), C * D) << "}\n";
  if (!out) throw std::runtime_error("cannot write " + path);
  return {scorepath::gaussian_mixture_score<float, D, C>(weights, means, variances),
          std::move(samples), path, "gaussian_mixture_score<float, 16, 8>"};
}

// An MLP with mlp_random_parameters weights, and N standard normal samples.
template <int D>
problem<scorepath::mlp_score<float, D>> make_mlp(const settings& s, std::vector<int> hidden) {
  auto model = scorepath::mlp_score<float, D>::random(hidden, scorepath::mlp_activation::softplus,
                                                      s.data_seed);
  std::mt19937_64 gen(s.data_seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<float> samples(s.samples * D);
  for (float& x : samples) x = static_cast<float>(normal(gen));
  const std::string path = s.dir + "/weights.mlp";
  scorepath::save_mlp(path, model);
  std::string widths;
  for (int w : hidden) widths += " " + std::to_string(w);
  return {std::move(model), std::move(samples), path,
          "mlp_score<float, " + std::to_string(D) + ">, hidden" + widths + ", softplus"};
}

// The network of make_mlp<D> (same weights, same samples) with D chosen at run time.
template <int D>
problem<scorepath::mlp_network<float>> make_network(const settings& s, std::vector<int> hidden) {
  problem<scorepath::mlp_score<float, D>> compiled = make_mlp<D>(s, hidden);
  const std::vector<float>& p = compiled.model.parameters();
  return {scorepath::mlp_network<float>(D, hidden, scorepath::mlp_activation::softplus,
                                        std::vector<float>(p.begin(), p.end())),
          std::move(compiled.samples), compiled.weights_file,
          "mlp_network<float> (D = " + std::to_string(D) + " at run time), " +
              compiled.description.substr(compiled.description.find("hidden"))};
}

template <class Model>
int run(const settings& s, const problem<Model>& p) {
  const int D = scorepath::score_model_dim(p.model);
  const std::uint64_t n = s.samples;
  const std::uint32_t m = s.probes;
  // On CUDA the samples stay in host memory, so every timed call includes copying them to the
  // device; an unusable device throws unavailable_error here, before anything is written.
  scorepath::context ctx(s.cuda ? scorepath::backend_choice::cuda : scorepath::backend_choice::cpu);
  ctx.set_threads(s.threads);
  const auto in = scorepath::host_input(p.samples.data(), p.samples.size());
  scorepath::ssm_options opt;
  opt.probes = m;
  opt.law = scorepath::probe_law::gaussian;
  opt.half_scaling = false;

  // The loss with its probes written out.
  std::vector<float> probes(static_cast<std::size_t>(n) * m * D);
  scorepath::ssm_outputs<float> out;
  out.probes = scorepath::host_output(probes.data(), probes.size());
  scorepath::rng_stream rng(s.seed);
  const scorepath::ssm_report checked = scorepath::sliced_score_matching(ctx, rng, p.model, in,
                                                                         opt, out);
  write_floats(s.dir + "/samples.f32", p.samples);
  write_floats(s.dir + "/probes.f32", probes);

  // Timing: the plain call (no per-probe outputs), as a training loop would make it.
  using clock = std::chrono::steady_clock;
  scorepath::sliced_score_matching(ctx, rng, p.model, in, opt);  // warm-up
  std::vector<double> times;
  for (int r = 0; r < s.repeat; ++r) {
    const auto t0 = clock::now();
    const scorepath::ssm_report rep = scorepath::sliced_score_matching(ctx, rng, p.model, in, opt);
    const auto t1 = clock::now();
    if (!std::isfinite(rep.ssm.value)) throw std::runtime_error("non-finite loss");
    times.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  const double best = sorted.front();
  const double median = sorted[sorted.size() / 2];

  std::printf(
      "{\"model\": \"%s\", \"description\": \"%s\", \"precision\": \"float\", \"dim\": %d,\n"
      " \"backend\": \"%s\", \"samples_in\": \"host memory\",\n"
      " \"samples\": %llu, \"probes\": %u, \"probe_law\": \"gaussian\", \"threads\": %d,\n"
      " \"seed\": %llu, \"data_seed\": %llu,\n"
      " \"ssm\": %.17g, \"ssm_std_error\": %.17g, \"ssm_vr\": %.17g, \"convention\": "
      "\"mean[(v'S)^2 + 2 v'Jv]\",\n"
      " \"repeat\": %d, \"best_seconds\": %.9g, \"median_seconds\": %.9g,\n"
      " \"samples_per_second\": %.9g,\n"
      " \"files\": {\"weights\": %s, \"samples\": %s, \"probes\": %s}}\n",
      s.model.c_str(), p.description.c_str(), D, s.cuda ? "cuda" : "cpu",
      static_cast<unsigned long long>(n), m, s.threads,
      static_cast<unsigned long long>(s.seed), static_cast<unsigned long long>(s.data_seed),
      checked.ssm.value, checked.ssm.std_error, checked.ssm_vr.value, s.repeat, best, median,
      static_cast<double>(n) / best, json_string(p.weights_file).c_str(),
      json_string(s.dir + "/samples.f32").c_str(), json_string(s.dir + "/probes.f32").c_str());
  return 0;
}

/// One training step (SSM-VR loss, gradient, Adam) per batch: the first step's probes and
/// gradient written for the peer, then --steps steps timed per repeat.
int run_train(const settings& s, problem<scorepath::mlp_network<float>>& p) {
  const int D = p.model.dim();
  const std::uint64_t n = s.samples;
  const std::uint32_t m = s.probes;
  scorepath::context ctx(scorepath::backend_choice::cpu);
  ctx.set_threads(s.threads);
  const auto in = scorepath::host_input(p.samples.data(), p.samples.size());
  scorepath::loss_gradient_options opt;
  opt.loss = scorepath::score_loss::ssm_vr;
  opt.probes = m;
  opt.law = scorepath::probe_law::gaussian;

  // The probes of the first step: sliced_score_matching of the network draws the very probes
  // score_loss_gradient draws from a stream in the same state.
  std::vector<float> probes(static_cast<std::size_t>(n) * m * D);
  scorepath::ssm_outputs<float> out;
  out.probes = scorepath::host_output(probes.data(), probes.size());
  scorepath::ssm_options sopt;
  sopt.probes = m;
  scorepath::rng_stream probe_rng(s.seed);
  (void)scorepath::sliced_score_matching(ctx, probe_rng, p.model, in, sopt, out);
  std::vector<float> gradient(p.model.parameters().size());
  const auto grad_out = scorepath::host_output(gradient.data(), gradient.size());
  scorepath::rng_stream rng(s.seed);
  const scorepath::loss_gradient_report first =
      scorepath::score_loss_gradient(ctx, rng, p.model, in, opt, grad_out);
  write_floats(s.dir + "/samples.f32", p.samples);
  write_floats(s.dir + "/probes.f32", probes);
  write_floats(s.dir + "/gradient.f32", gradient);

  // Timing: loss and gradient, the Adam step, the new weights set in the network.
  std::vector<float> weights = p.model.parameters();
  scorepath::adam_optimizer adam(scorepath::adam_options{},
                                 std::vector<double>(weights.begin(), weights.end()));
  auto step = [&] {
    const auto r = scorepath::score_loss_gradient(ctx, rng, p.model, in, opt, grad_out);
    if (!std::isfinite(r.loss.value)) throw std::runtime_error("non-finite loss");
    adam.step(weights, gradient);
    p.model.set_parameters(weights);
  };
  step();  // warm-up
  using clock = std::chrono::steady_clock;
  std::vector<double> times;
  for (int r = 0; r < s.repeat; ++r) {
    const auto t0 = clock::now();
    for (int k = 0; k < s.steps; ++k) step();
    times.push_back(std::chrono::duration<double>(clock::now() - t0).count() / s.steps);
  }
  std::sort(times.begin(), times.end());
  std::printf(
      "{\"model\": \"%s\", \"description\": \"%s\", \"precision\": \"float\", \"dim\": %d,\n"
      " \"batch\": %llu, \"probes\": %u, \"probe_law\": \"gaussian\", \"threads\": %d,\n"
      " \"loss\": \"ssm_vr\", \"ssm_vr\": %.17g, \"convention\": "
      "\"mean[|S|^2 + (2/M) sum_j v_j'Jv_j]\",\n"
      " \"optimizer\": \"adam lr 1e-3\", \"steps\": %d, \"repeat\": %d,\n"
      " \"best_seconds_per_step\": %.9g, \"median_seconds_per_step\": %.9g,\n"
      " \"samples_per_second\": %.9g,\n"
      " \"files\": {\"weights\": %s, \"samples\": %s, \"probes\": %s, \"gradient\": %s}}\n",
      s.model.c_str(), p.description.c_str(), D, static_cast<unsigned long long>(n), m, s.threads,
      first.loss.value, s.steps, s.repeat, times.front(), times[times.size() / 2],
      static_cast<double>(n) / times.front(), json_string(p.weights_file).c_str(),
      json_string(s.dir + "/samples.f32").c_str(), json_string(s.dir + "/probes.f32").c_str(),
      json_string(s.dir + "/gradient.f32").c_str());
  return 0;
}

/// Sampling with a VP-conditioned network: its scores at 256 points written for the peer's check,
/// then --repeat timed runs of the reverse SDE over --samples paths and --steps steps.
int run_sample(const settings& s) {
  constexpr int D = 2;
  scorepath::noise_conditioning vp;
  vp.kind = scorepath::conditioning_kind::vp;
  const auto net = scorepath::mlp_network<float>::random(
      D, {128, 128}, scorepath::mlp_activation::softplus, s.data_seed, vp);
  scorepath::save_mlp_network(s.dir + "/weights.mlp", net);
  scorepath::context ctx(scorepath::backend_choice::cpu);
  ctx.set_threads(s.threads);

  // The check: S(x, σ) at 256 points, σ spread over the VP range.
  constexpr int K = 256;
  std::mt19937_64 gen(s.data_seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<float> points(K * D), sigmas(K), scores(K * D), one(D);
  for (float& x : points) x = static_cast<float>(normal(gen));
  for (int k = 0; k < K; ++k) {
    sigmas[k] = static_cast<float>(scorepath::conditioning_sigma(vp, 0.01 + 0.99 * k / (K - 1)));
    network_scores(ctx, net, scorepath::host_input(points.data() + k * D, D),
                   scorepath::host_output(one.data(), D), sigmas[k]);
    std::copy(one.begin(), one.end(), scores.begin() + k * D);
  }
  write_floats(s.dir + "/points.f32", points);
  write_floats(s.dir + "/sigmas.f32", sigmas);
  write_floats(s.dir + "/scores.f32", scores);

  scorepath::sampler_options opt;
  opt.kind = scorepath::sampler_kind::reverse_sde;
  opt.process = vp;
  opt.steps = static_cast<std::uint64_t>(s.steps);
  const auto score = scorepath::network_batch_score(net);
  std::vector<float> out(static_cast<std::size_t>(s.samples) * D);
  const auto span = scorepath::host_output(out.data(), out.size());
  scorepath::rng_stream rng(s.seed);
  (void)scorepath::sample_paths(ctx, rng, score, opt, span);  // warm-up
  using clock = std::chrono::steady_clock;
  std::vector<double> times;
  std::uint64_t evaluations = 0;
  for (int r = 0; r < s.repeat; ++r) {
    const auto t0 = clock::now();
    const auto report = scorepath::sample_paths(ctx, rng, score, opt, span);
    times.push_back(std::chrono::duration<double>(clock::now() - t0).count());
    if (report.non_finite_paths != 0) throw std::runtime_error("non-finite samples");
    evaluations = report.score_evaluations;
  }
  std::sort(times.begin(), times.end());
  const double path_steps = static_cast<double>(s.samples) * static_cast<double>(evaluations);
  std::printf(
      "{\"model\": \"%s\", \"description\": \"VP-conditioned mlp_network<float> 3-128-128-2, "
      "softplus\", \"precision\": \"float\", \"dim\": %d,\n"
      " \"sampler\": \"reverse_sde\", \"beta_min\": %.17g, \"beta_max\": %.17g, "
      "\"t_end\": %.17g,\n"
      " \"paths\": %llu, \"steps\": %d, \"score_evaluations\": %llu, \"threads\": %d,\n"
      " \"repeat\": %d, \"best_seconds\": %.9g, \"path_steps_per_second\": %.9g,\n"
      " \"files\": {\"weights\": %s, \"points\": %s, \"sigmas\": %s, \"scores\": %s}}\n",
      s.model.c_str(), D, vp.beta_min, vp.beta_max, opt.t_end,
      static_cast<unsigned long long>(s.samples), s.steps,
      static_cast<unsigned long long>(evaluations), s.threads, s.repeat, times.front(),
      path_steps / times.front(), json_string(s.dir + "/weights.mlp").c_str(),
      json_string(s.dir + "/points.f32").c_str(), json_string(s.dir + "/sigmas.f32").c_str(),
      json_string(s.dir + "/scores.f32").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const settings s = parse_args(argc, argv);
  try {
    if (s.model == "gmm16") return run(s, make_gmm16(s));
    if (s.model == "mlp2") return run(s, make_mlp<2>(s, {128, 128}));
    if (s.model == "mlp64") return run(s, make_mlp<64>(s, {256, 256}));
    if (s.sample) return run_sample(s);
    auto net = s.model == "net2" ? make_network<2>(s, {128, 128}) : make_network<64>(s, {256, 256});
    return s.train ? run_train(s, net) : run(s, net);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ssm_driver: %s\n", e.what());
    return 1;
  }
}
