// The bad-input matrix of the C++ API: every public entry point × the bad inputs that apply to it.
// Each row must raise the documented error type; an argument error must name the parameter and
// carry the value in its message; output buffers keep their contents and the random stream does
// not advance. The command line has its own matrix (tests/cli/test_cli_bad_input.sh).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <climits>
#include <cstdio>

#include "scorepath/ensemble.hpp"
#include "scorepath/jacobian.hpp"
#include "scorepath/merge_runs.hpp"
#include "scorepath/probe_variance.hpp"
#include "scorepath/random_fill.hpp"
#include "scorepath/reducers.hpp"
#include "scorepath/score_eval.hpp"
#include "scorepath/scores/gaussian.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/sdes/diffusion_model_sdes.hpp"
#include "scorepath/sdes/geometric_brownian_motion.hpp"
#include "scorepath/sdes/langevin.hpp"
#include "scorepath/sdes/ornstein_uhlenbeck.hpp"
#include "scorepath/ssm.hpp"

namespace scorepath {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr float kSentinel = 1234.5f;

/// What a row may write to, and what must be unchanged after it failed.
struct io {
  context cpu{backend_choice::cpu};
  rng_stream rng{77};
  std::vector<float> f = std::vector<float>(64, kSentinel);
  std::vector<double> d = std::vector<double>(64, kSentinel);
  output_span<float> f_out(std::size_t n) { return host_output(f.data(), n); }
  output_span<double> d_out(std::size_t n) { return host_output(d.data(), n); }
};

enum class expect { invalid_argument, out_of_memory };

struct bad_case {
  std::string entry;      ///< the public function or constructor
  std::string input;      ///< what is wrong
  expect kind;            ///< the documented error
  std::string parameter;  ///< the parameter an argument error must name
  std::function<void(io&)> call;
};

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

/// Lowers this process's address-space limit to what it uses now plus @p extra bytes while it
/// lives (the soft limit only; restored on destruction).
class address_space_headroom {
 public:
  explicit address_space_headroom(std::uint64_t extra) {
    getrlimit(RLIMIT_AS, &saved_);
    unsigned long long pages = 0;
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%llu", &pages) != 1) pages = 0;
      std::fclose(f);
    }
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(pages * sysconf(_SC_PAGE_SIZE) + extra);
    if (saved_.rlim_max != RLIM_INFINITY && lowered.rlim_cur > saved_.rlim_max) {
      lowered.rlim_cur = saved_.rlim_max;
    }
    setrlimit(RLIMIT_AS, &lowered);
  }
  ~address_space_headroom() { setrlimit(RLIMIT_AS, &saved_); }
  address_space_headroom(const address_space_headroom&) = delete;
  address_space_headroom& operator=(const address_space_headroom&) = delete;

 private:
  rlimit saved_{};
};

const geometric_brownian_motion<float> kGbm(0.05f, 0.2f);

em_options em_ok() {
  em_options opt;
  opt.paths = 16;
  opt.steps = 8;
  opt.statistics = true;
  return opt;
}

/// simulate_em on GBM with @p change applied to valid options, final states into io.f.
bad_case em_row(std::string input, std::string parameter, std::function<void(em_options&)> change,
                std::vector<float> x0 = {100.0f}) {
  return {"simulate_em", std::move(input), expect::invalid_argument, std::move(parameter),
          [change, x0](io& s) {
            em_options opt = em_ok();
            change(opt);
            em_outputs<float> out;
            out.final_states = s.f_out(16);
            simulate_em(s.cpu, s.rng, kGbm, x0, opt, out);
          }};
}

void add_em_rows(std::vector<bad_case>& rows) {
  rows.push_back(em_row("zero paths", "paths", [](em_options& o) { o.paths = 0; }));
  rows.push_back(em_row("zero steps", "steps", [](em_options& o) { o.steps = 0; }));
  rows.push_back(em_row("NaN end time", "t1", [](em_options& o) { o.t1 = kNaN; }));
  rows.push_back(em_row("infinite start time", "t0", [](em_options& o) { o.t0 = -kInf; }));
  rows.push_back(em_row("end before start", "t1", [](em_options& o) { o.t1 = -1.0; }));
  rows.push_back(em_row("step size zero in float", "step size", [](em_options& o) {
    o.t1 = 1e-44;  // h ≈ 1e-50 rounds to zero in float
    o.steps = std::uint64_t{1} << 20;
  }));
  rows.push_back(em_row("refinement 21", "refinement", [](em_options& o) { o.refinement = 21; }));
  rows.push_back(em_row("steps x draws overflow the Philox counter", "steps", [](em_options& o) {
    o.steps = std::uint64_t{1} << 50;
    o.refinement = 12;
  }));
  rows.push_back(em_row("save step 0", "save_steps[0]", [](em_options& o) { o.save_steps = {0}; }));
  rows.push_back(em_row("save step past the end", "save_steps[1]",
                        [](em_options& o) { o.save_steps = {2, 9}; }));
  rows.push_back(em_row("save steps not increasing", "save_steps[1]",
                        [](em_options& o) { o.save_steps = {4, 4}; }));
  rows.push_back(em_row("x0 of the wrong dimension", "x0 size", [](em_options&) {}, {1.0f, 2.0f}));
  rows.push_back(em_row("NaN in x0", "x0[0]", [](em_options&) {}, {std::nanf("")}));
  rows.push_back(em_row("infinite x0", "x0[0]", [](em_options&) {}, {INFINITY}));
  rows.push_back({"simulate_em", "final states buffer of the wrong size", expect::invalid_argument,
                  "final_states size", [](io& s) {
                    em_outputs<float> out;
                    out.final_states = s.f_out(15);
                    simulate_em(s.cpu, s.rng, kGbm, {100.0f}, em_ok(), out);
                  }});
  rows.push_back({"simulate_em", "null final states with a size", expect::invalid_argument,
                  "final_states", [](io& s) {
                    em_outputs<float> out;
                    out.final_states = host_output<float>(nullptr, 16);
                    out.saved_states = s.f_out(16);
                    em_options opt = em_ok();
                    opt.save_steps = {8};
                    simulate_em(s.cpu, s.rng, kGbm, {100.0f}, opt, out);
                  }});
  rows.push_back({"simulate_em", "device pointer on the CPU backend", expect::invalid_argument,
                  "final_states space", [](io& s) {
                    em_outputs<float> out;
                    out.final_states = device_output(s.f.data(), 16);
                    simulate_em(s.cpu, s.rng, kGbm, {100.0f}, em_ok(), out);
                  }});
  rows.push_back({"simulate_em", "saved states without save steps", expect::invalid_argument,
                  "saved_states size", [](io& s) {
                    em_outputs<float> out;
                    out.saved_states = s.f_out(16);
                    em_options opt = em_ok();
                    opt.statistics = false;
                    simulate_em(s.cpu, s.rng, kGbm, {100.0f}, opt, out);
                  }});
  rows.push_back({"simulate_em", "nothing asked for", expect::invalid_argument, "outputs",
                  [](io& s) {
                    em_options opt = em_ok();
                    opt.statistics = false;
                    simulate_em(s.cpu, s.rng, kGbm, {100.0f}, opt);
                  }});
  rows.push_back({"simulate_em_to_host", "absurd memory request", expect::out_of_memory, "",
                  [](io& s) {
                    em_options opt = em_ok();
                    opt.paths = std::uint64_t{1} << 60;
                    simulate_em_to_host(s.cpu, s.rng, kGbm, {100.0f}, opt, true, false);
                  }});
  rows.push_back({"simulate_em", "paths at 2^64 - 1 with statistics", expect::out_of_memory, "paths",
                  [](io& s) {
                    em_options opt = em_ok();
                    opt.paths = std::numeric_limits<std::uint64_t>::max();
                    simulate_em(s.cpu, s.rng, kGbm, {100.0f}, opt);
                  }});
  rows.push_back({"simulate_em", "chunk of 2^64 - 1 paths with 2^62 paths", expect::out_of_memory,
                  "paths", [](io& s) {
                    em_options opt = em_ok();
                    opt.paths = std::uint64_t{1} << 62;
                    opt.chunk_paths = std::numeric_limits<std::uint64_t>::max();
                    simulate_em(s.cpu, s.rng, kGbm, {100.0f}, opt);
                  }});
  rows.push_back(em_row("t1 1e300 in float", "t1", [](em_options& o) {
    o.t1 = 1e300;
    o.steps = 4;
  }));
  rows.push_back(em_row("t0 -1e300 in float", "t0", [](em_options& o) { o.t0 = -1e300; }));
  rows.push_back(em_row("step size overflows float", "steps", [](em_options& o) {
    o.t0 = -3e38;
    o.t1 = 3e38;
    o.steps = 1;
  }));
  rows.push_back({"simulate_em", "save every one of 2^20 steps: scratch beyond the memory limit",
                  expect::out_of_memory, "save_steps", [](io& s) {
                    em_options opt = em_ok();
                    opt.paths = 1024;
                    opt.steps = std::uint64_t{1} << 20;
                    opt.save_steps.resize(opt.steps);
                    for (std::uint64_t k = 0; k < opt.steps; ++k) opt.save_steps[k] = k + 1;
                    const address_space_headroom limit(std::uint64_t{256} << 20);
                    simulate_em(s.cpu, s.rng, kGbm, {100.0f}, opt);
                  }});
  rows.push_back({"simulate_em", "VP SDE from t0 = -1", expect::invalid_argument, "t0", [](io& s) {
                    em_options opt = em_ok();
                    opt.t0 = -1.0;
                    em_outputs<float> out;
                    out.final_states = s.f_out(16);
                    simulate_em(s.cpu, s.rng, vp_sde<float>(), {1.0f}, opt, out);
                  }});
  rows.push_back({"simulate_em", "VE SDE to t1 = 100 in float", expect::invalid_argument, "t1",
                  [](io& s) {
                    em_options opt = em_ok();
                    opt.t1 = 100.0;
                    em_outputs<float> out;
                    out.final_states = s.f_out(16);
                    simulate_em(s.cpu, s.rng, ve_sde<float>(), {1.0f}, opt, out);
                  }});
  rows.push_back({"ve_sde", "sigma_max / sigma_min overflows float", expect::invalid_argument,
                  "sigma_max", [](io&) { ve_sde<float>(1e-30f, 1e30f); }});
  rows.push_back({"isotropic_gaussian_score", "1/stddev^2 overflows float",
                  expect::invalid_argument, "stddev",
                  [](io&) { isotropic_gaussian_score<float, 1>({0.0f}, 1e-30f); }});
  rows.push_back({"em_report::at", "save index out of range", expect::invalid_argument,
                  "save index", [](io& s) {
                    rng_stream own(1);
                    simulate_em(s.cpu, own, kGbm, {100.0f}, em_ok()).at(1, 0);
                  }});
  rows.push_back({"merge_em_reports", "runs of different seeds", expect::invalid_argument, "seed",
                  [](io& s) {
                    rng_stream a(1), b(2);
                    const em_report first = simulate_em(s.cpu, a, kGbm, {100.0f}, em_ok());
                    merge_em_reports(first, simulate_em(s.cpu, b, kGbm, {100.0f}, em_ok()));
                  }});
  auto merge_row = [&rows](std::string input, std::string parameter,
                           std::function<void(em_options&)> change, float x0_second = 100.0f) {
    rows.push_back({"merge_em_reports", std::move(input), expect::invalid_argument,
                    std::move(parameter), [change, x0_second](io& s) {
                      rng_stream shared(5);
                      const em_report first = simulate_em(s.cpu, shared, kGbm, {100.0f}, em_ok());
                      em_options opt = em_ok();
                      change(opt);
                      merge_em_reports(first,
                                       simulate_em(s.cpu, shared, kGbm, {x0_second}, opt));
                    }});
  };
  merge_row("runs of different t0 (same step size)", "t0", [](em_options& o) {
    o.t0 = 0.5;
    o.t1 = 1.5;
  });
  merge_row("runs of different t1 and steps (same step size)", "t1", [](em_options& o) {
    o.t1 = 2.0;
    o.steps = 16;
    o.save_steps = {8};
  });
  merge_row("runs of different x0", "x0[0]", [](em_options&) {}, 101.0f);
  merge_row("runs of different refinement", "refinement", [](em_options& o) { o.refinement = 1; });
  rows.push_back({"geometric_brownian_motion", "negative volatility", expect::invalid_argument,
                  "sigma", [](io&) { geometric_brownian_motion<double>(0.1, -0.2); }});
  rows.push_back({"geometric_brownian_motion", "NaN drift", expect::invalid_argument, "mu",
                  [](io&) { geometric_brownian_motion<double>(kNaN, 0.2); }});
  rows.push_back({"ornstein_uhlenbeck", "negative reversion rate", expect::invalid_argument,
                  "theta[0]", [](io&) { ornstein_uhlenbeck<double, 2>(-1.0, 0.0, 1.0); }});
}

const diagonal_gaussian_score<float, 2> kDiag({0.0f, 1.0f}, {1.0f, 2.0f});

/// sliced_score_matching on a 2-D Gaussian with @p samples, projections into io.f.
bad_case ssm_row(std::string input, std::string parameter, std::vector<float> samples,
                 std::function<void(ssm_options&)> change = [](ssm_options&) {}) {
  return {"sliced_score_matching", std::move(input), expect::invalid_argument,
          std::move(parameter), [samples, change](io& s) {
            ssm_options opt;
            opt.probes = 2;
            change(opt);
            ssm_outputs<float> out;
            out.projections = s.f_out(samples.size() / 2 * opt.probes);
            sliced_score_matching(s.cpu, s.rng, kDiag, samples, opt, out);
          }};
}

void add_ssm_rows(std::vector<bad_case>& rows) {
  const std::vector<float> ok{0.1f, 0.2f, 0.3f, 0.4f};
  rows.push_back(ssm_row("no samples", "samples", {}));
  rows.push_back(ssm_row("size not a multiple of d", "samples size", {0.1f, 0.2f, 0.3f}));
  rows.push_back(ssm_row("NaN sample", "samples[1][0]", {0.1f, 0.2f, std::nanf(""), 0.4f}));
  rows.push_back(ssm_row("infinite sample", "samples[0][1]", {0.1f, -INFINITY, 0.3f, 0.4f}));
  rows.push_back(ssm_row("zero probes", "probes", ok, [](ssm_options& o) { o.probes = 0; }));
  rows.push_back(ssm_row("probe law 99", "law", ok,
                         [](ssm_options& o) { o.law = static_cast<probe_law>(99); }));
  rows.push_back(ssm_row("chunk of 2^64 - 1 samples, law 99", "law", ok, [](ssm_options& o) {
    o.chunk_samples = std::numeric_limits<std::uint64_t>::max();
    o.law = static_cast<probe_law>(99);
  }));
  rows.push_back({"sliced_score_matching", "projections of the wrong size",
                  expect::invalid_argument, "projections size", [ok](io& s) {
                    ssm_outputs<float> out;
                    out.projections = s.f_out(3);
                    sliced_score_matching(s.cpu, s.rng, kDiag, ok, ssm_options{}, out);
                  }});
  rows.push_back({"sliced_score_matching", "null divergences with a size",
                  expect::invalid_argument, "divergences", [ok](io& s) {
                    ssm_outputs<float> out;
                    out.projections = s.f_out(2);
                    out.divergences = host_output<float>(nullptr, 2);
                    sliced_score_matching(s.cpu, s.rng, kDiag, ok, ssm_options{}, out);
                  }});
  rows.push_back({"sliced_score_matching", "device samples on the CPU backend",
                  expect::invalid_argument, "samples space", [ok](io& s) {
                    sliced_score_matching(s.cpu, s.rng, kDiag, device_input(ok.data(), ok.size()),
                                          ssm_options{});
                  }});
  rows.push_back({"sliced_score_matching", "ISM per sample without exact ISM",
                  expect::invalid_argument, "ism_per_sample", [ok](io& s) {
                    ssm_outputs<float> out;
                    out.ism_per_sample = s.f_out(2);
                    sliced_score_matching(s.cpu, s.rng, kDiag, ok, ssm_options{}, out);
                  }});
  rows.push_back({"evaluate_scores", "scores of the wrong size", expect::invalid_argument,
                  "scores size", [ok](io& s) {
                    evaluate_scores(s.cpu, kDiag, host_input(ok.data(), ok.size()), s.f_out(2));
                  }});
  rows.push_back({"evaluate_scores", "NaN sample", expect::invalid_argument, "samples[0][0]",
                  [](io& s) {
                    const std::vector<float> x{std::nanf(""), 0.0f};
                    evaluate_scores(s.cpu, kDiag, host_input(x.data(), x.size()), s.f_out(2));
                  }});
  rows.push_back({"probe_variance_study", "one replicate", expect::invalid_argument,
                  "replicates", [ok](io& s) {
                    variance_study_options opt;
                    opt.replicates = 1;
                    probe_variance_study(s.cpu, s.rng, kDiag, host_input(ok.data(), ok.size()),
                                         opt);
                  }});
  rows.push_back({"probe_variance_study", "probe law 99", expect::invalid_argument, "laws[1]",
                  [ok](io& s) {
                    variance_study_options opt;
                    opt.laws = {probe_law::gaussian, static_cast<probe_law>(99)};
                    opt.probe_counts = {1};
                    opt.replicates = 2;
                    probe_variance_study(s.cpu, s.rng, kDiag, host_input(ok.data(), ok.size()),
                                         opt);
                  }});
  rows.push_back({"probe_variance_study", "NaN target error", expect::invalid_argument,
                  "target_relative_error", [ok](io& s) {
                    variance_study_options opt;
                    opt.target_relative_error = kNaN;
                    probe_variance_study(s.cpu, s.rng, kDiag, host_input(ok.data(), ok.size()),
                                         opt);
                  }});
  rows.push_back({"diagonal_gaussian_score", "zero precision", expect::invalid_argument,
                  "precision[1]", [](io&) {
                    diagonal_gaussian_score<double, 2>({0.0, 0.0}, {1.0, 0.0});
                  }});
  rows.push_back({"gaussian_score", "NaN mean", expect::invalid_argument, "mean[0]", [](io&) {
                    gaussian_score<double, 2>({kNaN, 0.0}, {1.0, 0.0, 0.0, 1.0});
                  }});
  rows.push_back({"gaussian_score", "precision not positive definite", expect::invalid_argument,
                  "precision", [](io&) {
                    gaussian_score<double, 2>({0.0, 0.0}, {1.0, 2.0, 2.0, 1.0});
                  }});
  rows.push_back({"gaussian_mixture_score", "negative weight", expect::invalid_argument,
                  "weights[1]", [](io&) {
                    gaussian_mixture_score<double, 2, 2>({1.0, -1.0}, {0, 0, 1, 1}, {1, 1, 1, 1});
                  }});
  rows.push_back({"gaussian_mixture_score", "infinite variance", expect::invalid_argument,
                  "variances[3]", [](io&) {
                    gaussian_mixture_score<double, 2, 2>({1.0, 1.0}, {0, 0, 1, 1},
                                                         {1, 1, 1, kInf});
                  }});
  rows.push_back({"mlp_score", "zero hidden width", expect::invalid_argument, "hidden[1]",
                  [](io&) { mlp_score<double, 2>({4, 0}, mlp_activation::tanh, {}); }});
  rows.push_back({"mlp_score", "parameters of the wrong count", expect::invalid_argument,
                  "parameters size",
                  [](io&) { mlp_score<double, 2>({4}, mlp_activation::tanh, {1.0, 2.0}); }});
  rows.push_back({"mlp_score", "NaN parameter", expect::invalid_argument, "parameters[3]", [](io&) {
                    std::vector<double> p(mlp_parameter_count(2, {4}), 0.1);
                    p[3] = kNaN;
                    mlp_score<double, 2>({4}, mlp_activation::tanh, p);
                  }});
  rows.push_back({"mlp_score::random", "hidden widths of 2^28", expect::out_of_memory, "hidden",
                  [](io&) {
                    mlp_score<float, 2>::random({1 << 28, 1 << 28}, mlp_activation::tanh, 1);
                  }});
  rows.push_back({"mlp_score::random", "hidden widths of 2^30", expect::out_of_memory, "hidden",
                  [](io&) {
                    mlp_score<double, 2>::random({1 << 30, 1 << 30}, mlp_activation::tanh, 1);
                  }});
  rows.push_back({"parse_mlp_activation", "unknown name", expect::invalid_argument, "activation",
                  [](io&) { parse_mlp_activation("relu"); }});
}

void add_support_rows(std::vector<bad_case>& rows) {
  rows.push_back({"generate_normals", "zero streams", expect::invalid_argument, "streams",
                  [](io& s) { generate_normals<float>(s.cpu, s.rng, 0, 4, s.f_out(4)); }});
  rows.push_back({"generate_normals", "zero draws", expect::invalid_argument, "draws",
                  [](io& s) { generate_normals<double>(s.cpu, s.rng, 4, 0, s.d_out(4)); }});
  rows.push_back({"generate_normals", "output of the wrong size", expect::invalid_argument,
                  "out size",
                  [](io& s) { generate_normals<float>(s.cpu, s.rng, 4, 4, s.f_out(15)); }});
  rows.push_back({"generate_normals", "null output", expect::invalid_argument, "out", [](io& s) {
                    generate_normals<float>(s.cpu, s.rng, 4, 4, host_output<float>(nullptr, 16));
                  }});
  rows.push_back({"generate_normals", "device output on the CPU", expect::invalid_argument,
                  "out space", [](io& s) {
                    generate_normals<float>(s.cpu, s.rng, 4, 4, device_output(s.f.data(), 16));
                  }});
  rows.push_back({"generate_philox_words", "zero words", expect::invalid_argument, "words",
                  [](io& s) {
                    std::vector<std::uint32_t> w(16, 7u);
                    generate_philox_words(s.cpu, s.rng, 4, 0, host_output(w.data(), w.size()));
                  }});
  rows.push_back({"rng_stream::reserve", "subsequence space exhausted", expect::invalid_argument,
                  "count", [](io&) {
                    rng_stream r(rng_state{1, std::numeric_limits<std::uint64_t>::max() - 3});
                    r.reserve(5);
                  }});
  rows.push_back({"context::set_threads", "negative thread count", expect::invalid_argument,
                  "threads", [](io& s) { s.cpu.set_threads(-2); }});
  rows.push_back({"context::set_threads", "INT_MAX threads", expect::invalid_argument, "threads",
                  [](io& s) { s.cpu.set_threads(INT_MAX); }});
  rows.push_back({"context::set_threads", "one thread more than max_threads",
                  expect::invalid_argument, "threads",
                  [](io& s) { s.cpu.set_threads(max_threads + 1); }});
  rows.push_back({"parse_backend_choice", "unknown backend", expect::invalid_argument, "backend",
                  [](io&) { parse_backend_choice("tpu"); }});
  rows.push_back({"parse_probe_law", "unknown law", expect::invalid_argument,
                  "probe law", [](io&) { parse_probe_law("cauchy"); }});
}

std::vector<bad_case> all_cases() {
  std::vector<bad_case> rows;
  add_em_rows(rows);
  add_ssm_rows(rows);
  add_support_rows(rows);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The check every row goes through
// ---------------------------------------------------------------------------------------------

void PrintTo(const bad_case& row, std::ostream* os) { *os << row.entry << ": " << row.input; }

class BadInputMatrix : public ::testing::TestWithParam<bad_case> {};

TEST_P(BadInputMatrix, TypedErrorNamingParameterAndValueNothingWritten) {
  const bad_case& row = GetParam();
  io state;
  const rng_state before = state.rng.state();
  try {
    row.call(state);
    ADD_FAILURE() << row.entry << " accepted " << row.input;
  } catch (const invalid_argument_error& e) {
    ASSERT_EQ(row.kind, expect::invalid_argument) << e.what();
    EXPECT_EQ(e.parameter(), row.parameter) << e.what();
    const std::string message = e.what();
    EXPECT_NE(message.find("'" + row.parameter + "'"), std::string::npos) << message;
    EXPECT_FALSE(e.value().empty()) << message;
    EXPECT_NE(message.find(e.value()), std::string::npos) << message;
  } catch (const out_of_memory_error& e) {
    EXPECT_EQ(row.kind, expect::out_of_memory) << e.what();
    const std::string message = e.what();
    EXPECT_NE(message.find(row.parameter), std::string::npos) << message;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "untyped error: " << e.what();
  }
  for (float v : state.f) ASSERT_EQ(v, kSentinel) << "float output written";
  for (double v : state.d) ASSERT_EQ(v, kSentinel) << "double output written";
  EXPECT_EQ(state.rng.state(), before) << "the stream advanced";
}

std::string case_name(const ::testing::TestParamInfo<bad_case>& info) {
  std::string name = info.param.entry + "_" + info.param.input;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return std::to_string(info.index) + "_" + name;
}

INSTANTIATE_TEST_SUITE_P(Api, BadInputMatrix, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace scorepath
