// Throughput of sliced_score_matching on the CPU backend against the model's plain forward pass
// (evaluate_scores), for the built-in Gaussian mixtures and two MLPs.
//
// Items are sample-projections for SSM (N·M per iteration) and samples for the forward pass, so
//
//     time per sample of SSM(M)   = M / items_per_second   of ssm_cpu/<model>/<T>/M:<M>/cpu_threads:N
//     time per sample of forward  = 1 / items_per_second   of forward_cpu/<model>/<T>/cpu_threads:N
//
// and their quotient is what one SSM sample costs in forward passes (bench/ssm_ratios.py prints
// it). Names are "ssm_cpu/<model>/<precision>/M:<M>/cpu_threads:<n>" and
// "forward_cpu/<model>/<precision>/cpu_threads:<n>"; ssm_ratios.py parses them.
//
// To add a model, write a factory returning its workload (model and samples) and add one
// register_model line to register_ssm_benchmarks below.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "bench_support.hpp"
#include "scorepath/context.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/model_dim.hpp"
#include "scorepath/rng_stream.hpp"
#include "scorepath/score_eval.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/mixture_ssm.hpp"
#include "scorepath/ssm.hpp"
#include "scorepath/training/network_ssm.hpp"

namespace {

using scorepath::bench::cpu_utilisation;
using scorepath::bench::precision_name;

using scorepath::backend_choice;
using scorepath::context;

constexpr std::uint64_t kProbeSeed = 20240717;
const std::vector<std::int64_t> kProbeCounts = {1, 4, 16};
const std::vector<std::int64_t> kThreadCounts = {1, 2};

/// A model and the N samples (row-major N×D) it is benchmarked on.
template <class Model>
struct workload {
  Model model;
  std::vector<typename Model::scalar_type> samples;
};

// ----------------------------------------------------------------------------------------------
// Workloads
// ----------------------------------------------------------------------------------------------

/// An 8-component diagonal mixture with means spread over [-4, 4]^D, and N samples drawn from it.
template <class T, int D>
workload<scorepath::gaussian_mixture_score<T, D, 8>> make_gmm(std::uint64_t n) {
  constexpr int C = 8;
  std::mt19937_64 gen(1000 + D);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::array<T, C> weights;
  std::array<T, C * D> means, variances;
  for (T& w : weights) w = static_cast<T>(0.5 + uniform(gen));
  for (T& m : means) m = static_cast<T>(-4.0 + 8.0 * uniform(gen));
  for (T& v : variances) v = static_cast<T>(0.5 + uniform(gen));
  std::vector<T> samples(n * D);
  for (std::uint64_t s = 0; s < n; ++s) {
    const int c = static_cast<int>(uniform(gen) * C) % C;
    for (int i = 0; i < D; ++i) {
      const double sd = std::sqrt(static_cast<double>(variances[c * D + i]));
      samples[s * D + i] = static_cast<T>(means[c * D + i] + sd * normal(gen));
    }
  }
  return {scorepath::gaussian_mixture_score<T, D, C>(weights, means, variances),
          std::move(samples)};
}

// ----------------------------------------------------------------------------------------------
// Timed bodies
// ----------------------------------------------------------------------------------------------

/// A diagonal mixture of run-time dimension (mixture_ssm.hpp), with the precision of its samples.
template <class T>
struct runtime_mixture {
  using scalar_type = T;
  scorepath::diagonal_mixture mix;
};

/// D of a model (model_dim.hpp), a run-time mixture's through its mixture.
template <class Model>
int dim_of(const Model& model) {
  return scorepath::score_model_dim(model);
}
template <class T>
int dim_of(const runtime_mixture<T>& m) {
  return m.mix.dim;
}

/// What sliced_score_matching is called with: the model itself, or a run-time mixture's mixture.
template <class Model>
const Model& ssm_model(const Model& model) {
  return model;
}
template <class T>
const scorepath::diagonal_mixture& ssm_model(const runtime_mixture<T>& m) {
  return m.mix;
}

// Args: {M, cpu_threads}. Items are sample-projections.
template <class Model>
void ssm_cpu(benchmark::State& state, const workload<Model>& w) {
  using T = typename Model::scalar_type;
  const auto probes = static_cast<std::uint32_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const std::uint64_t n = w.samples.size() / static_cast<std::uint64_t>(dim_of(w.model));
  try {
    context ctx(backend_choice::cpu);
    ctx.set_threads(threads);
    scorepath::rng_stream rng(kProbeSeed);
    scorepath::ssm_options opt;
    opt.probes = probes;
    opt.law = scorepath::probe_law::gaussian;
    const auto in = scorepath::host_input(w.samples.data(), w.samples.size());
    const cpu_utilisation util;
    for (auto _ : state) {
      const scorepath::ssm_report r =
          scorepath::sliced_score_matching(ctx, rng, ssm_model(w.model), in, opt);
      benchmark::DoNotOptimize(r.ssm.value);
    }
    state.counters["cpu_per_wall"] = util.ratio();
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n * probes));
    state.SetLabel(std::string("cpu threads=") + std::to_string(threads) + " " +
                   precision_name<T>() + " N=" + std::to_string(n));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// Args: {cpu_threads}. Items are samples.
template <class Model>
void forward_cpu(benchmark::State& state, const workload<Model>& w) {
  using T = typename Model::scalar_type;
  const int threads = static_cast<int>(state.range(0));
  const std::uint64_t n = w.samples.size() / Model::dim;
  try {
    context ctx(backend_choice::cpu);
    ctx.set_threads(threads);
    std::vector<T> scores(w.samples.size(), T(0));  // pages touched before timing
    const auto in = scorepath::host_input(w.samples.data(), w.samples.size());
    const auto out = scorepath::host_output(scores.data(), scores.size());
    const cpu_utilisation util;
    for (auto _ : state) {
      scorepath::evaluate_scores(ctx, w.model, in, out);
      benchmark::DoNotOptimize(scores.data());
      benchmark::ClobberMemory();
    }
    state.counters["cpu_per_wall"] = util.ratio();
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
    state.SetLabel(std::string("cpu threads=") + std::to_string(threads) + " " +
                   precision_name<T>() + " N=" + std::to_string(n));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

/// An MLP 2→w→w→2 or 64→w→w→64 with softplus and seeded random weights; samples N(0, I).
template <class T, int D, int Width>
workload<scorepath::mlp_score<T, D>> make_mlp(std::uint64_t n) {
  std::mt19937_64 gen(2000 + D);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<T> samples(n * D);
  for (T& x : samples) x = static_cast<T>(normal(gen));
  return {scorepath::mlp_score<T, D>::random({Width, Width}, scorepath::mlp_activation::softplus,
                                             7),
          std::move(samples)};
}

/// The same network as make_mlp's, with D chosen at run time (training/network_ssm.hpp).
template <class T, int D, int Width>
workload<scorepath::mlp_network<T>> make_network(std::uint64_t n) {
  workload<scorepath::mlp_score<T, D>> compiled = make_mlp<T, D, Width>(n);
  const std::vector<T>& p = compiled.model.parameters();
  return {scorepath::mlp_network<T>(D, {Width, Width}, scorepath::mlp_activation::softplus,
                                    std::vector<T>(p.begin(), p.end())),
          std::move(compiled.samples)};
}

/// The mixture of make_gmm<T, D> (same parameters, same samples) with D chosen at run time.
template <class T, int D>
workload<runtime_mixture<T>> make_runtime_gmm(std::uint64_t n) {
  constexpr int C = 8;
  std::mt19937_64 gen(1000 + D);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  runtime_mixture<T> m;
  m.mix.dim = D;
  // The draws of make_gmm, in its order: weights, means, variances (as T, then widened).
  for (int c = 0; c < C; ++c) m.mix.weights.push_back(static_cast<T>(0.5 + uniform(gen)));
  for (int j = 0; j < C * D; ++j) m.mix.means.push_back(static_cast<T>(-4.0 + 8.0 * uniform(gen)));
  for (int j = 0; j < C * D; ++j) m.mix.variances.push_back(static_cast<T>(0.5 + uniform(gen)));
  return {std::move(m), make_gmm<T, D>(n).samples};
}

// ----------------------------------------------------------------------------------------------
// Registration
// ----------------------------------------------------------------------------------------------

/**
 * Registers SSM for every M and thread count, and the forward pass for every thread count, of the
 * model that @p make builds with @p samples samples. The workload is built once, on first use,
 * and shared by all of the model's cases.
 */
template <class Model>
void register_model(const std::string& name, std::uint64_t samples,
                    workload<Model> (*make)(std::uint64_t)) {
  using T = typename Model::scalar_type;
  auto cache = std::make_shared<std::optional<workload<Model>>>();
  auto get = [cache, make, samples]() -> const workload<Model>& {
    if (!*cache) cache->emplace(make(samples));
    return **cache;
  };
  const std::string suffix = "/" + name + "/" + precision_name<T>();

  auto* ssm = benchmark::RegisterBenchmark(("ssm_cpu" + suffix).c_str(),
                                           [get](benchmark::State& s) { ssm_cpu(s, get()); });
  ssm->ArgNames({"M", "cpu_threads"});
  for (std::int64_t m : kProbeCounts) {
    for (std::int64_t t : kThreadCounts) ssm->Args({m, t});
  }
  ssm->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

  constexpr bool compiled = !std::is_same_v<Model, scorepath::mlp_network<T>> &&
                            !std::is_same_v<Model, runtime_mixture<T>>;
  if constexpr (compiled) {  // the run-time models: SSM only
    auto* fwd = benchmark::RegisterBenchmark(("forward_cpu" + suffix).c_str(),
                                             [get](benchmark::State& s) { forward_cpu(s, get()); });
    fwd->ArgNames({"cpu_threads"});
    for (std::int64_t t : kThreadCounts) fwd->Args({t});
    fwd->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);
  }
}

// One line per model: name in the benchmark names, samples per iteration, factory. The sample
// counts keep a one-thread forward pass above ~5 ms per iteration (2 cores, AVX-512).
int register_ssm_benchmarks() {
  // The mixture at D = 2, 4, … 64 on N·D = 2^21 values each: bench/per_dim.py prints its cost
  // per sample per (D·K) against D.
  register_model("gmm2", std::uint64_t{1} << 20, make_gmm<float, 2>);
  register_model("gmm4", std::uint64_t{1} << 19, make_gmm<float, 4>);
  register_model("gmm8", std::uint64_t{1} << 18, make_gmm<float, 8>);
  register_model("gmm16", std::uint64_t{1} << 17, make_gmm<float, 16>);
  register_model("gmm32", std::uint64_t{1} << 16, make_gmm<float, 32>);
  register_model("gmm64", std::uint64_t{1} << 15, make_gmm<float, 64>);
  register_model("mlp2_h128", std::uint64_t{1} << 15, make_mlp<float, 2, 128>);
  register_model("mlp64_h256", std::uint64_t{1} << 13, make_mlp<float, 64, 256>);
  // The run-time mixture on the same parameters and samples: J v in closed form, per sample.
  register_model("mixture2_runtime", std::uint64_t{1} << 18, make_runtime_gmm<float, 2>);
  register_model("mixture16_runtime", std::uint64_t{1} << 16, make_runtime_gmm<float, 16>);
  register_model("mixture64_runtime", std::uint64_t{1} << 14, make_runtime_gmm<float, 64>);
  // The run-time network on the same weights and samples: matrix products over tiles.
  register_model("network2_h128", std::uint64_t{1} << 15, make_network<float, 2, 128>);
  register_model("network64_h256", std::uint64_t{1} << 13, make_network<float, 64, 256>);
  return 0;
}

// Registered during static initialisation, before main (bench_em.cpp) runs the benchmarks.
[[maybe_unused]] const int ssm_benchmarks_registered = register_ssm_benchmarks();

}  // namespace
