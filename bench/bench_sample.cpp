// Throughput of the samplers on the CPU backend (sampling/samplers.hpp): path-steps per second of
// the reverse VP SDE driven by a trained-network score (a VP-conditioned MLP evaluated on tiles of
// paths as matrix products) and by the exact score of the 8-Gaussian ring, against the path
// engine's rate for the VP forward SDE of the same dimension with no score at all (simulate_em):
// the ratio is the cost of the score.
//
// Names are "sample_cpu/<score>/<precision>/cpu_threads:<n>" and
// "path_engine_cpu/vp2/<precision>/cpu_threads:<n>"; items are path-steps (paths × steps; a score
// evaluation per step, the final denoising step not counted). With a CUDA device,
// "sample_cuda/<score>/float/paths:<n>" runs the same sampler on it, samples in device memory,
// timed on the wall clock around the whole call (the call returns when the samples are written).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "scorepath/context.hpp"
#include "scorepath/ensemble.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/sampling/batch_score.hpp"
#include "scorepath/sampling/samplers.hpp"
#include "scorepath/sdes/diffusion_model_sdes.hpp"

namespace {

using scorepath::bench::cpu_utilisation;

constexpr std::uint64_t kPaths = 4096;
constexpr std::uint64_t kSteps = 100;

scorepath::noise_conditioning vp_process() {
  scorepath::noise_conditioning c;
  c.kind = scorepath::conditioning_kind::vp;
  return c;
}

void run_sampler(benchmark::State& state, const scorepath::batch_score<float>& score) {
  scorepath::context ctx(scorepath::backend_choice::cpu);
  ctx.set_threads(static_cast<int>(state.range(0)));
  scorepath::sampler_options opt;
  opt.process = vp_process();
  opt.steps = kSteps;
  opt.denoise = false;
  std::vector<float> out(kPaths * score.dim);
  scorepath::rng_stream rng(1);
  const cpu_utilisation cpu;
  for (auto _ : state) {
    const auto r = scorepath::sample_paths(ctx, rng, score, opt,
                                           scorepath::host_output(out.data(), out.size()));
    benchmark::DoNotOptimize(r.non_finite_paths);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPaths * kSteps));
  state.counters["cpu_per_wall"] = cpu.ratio();
}

void path_engine(benchmark::State& state) {
  scorepath::context ctx(scorepath::backend_choice::cpu);
  ctx.set_threads(static_cast<int>(state.range(0)));
  scorepath::vp_sde<float, 2> sde;
  scorepath::em_options opt;
  opt.paths = kPaths;
  opt.steps = kSteps;
  opt.t1 = 1.0;
  opt.statistics = true;
  scorepath::rng_stream rng(1);
  const cpu_utilisation cpu;
  for (auto _ : state) {
    const auto r = scorepath::simulate_em(ctx, rng, sde, {0.0f, 0.0f}, opt);
    benchmark::DoNotOptimize(r.at(0, 0).mean);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPaths * kSteps));
  state.counters["cpu_per_wall"] = cpu.ratio();
}

// Args: {paths}. Registered only when a CUDA device exists.
void run_sampler_cuda(benchmark::State& state, const scorepath::batch_score<float>& score) {
  const auto paths = static_cast<std::uint64_t>(state.range(0));
  try {
    scorepath::context ctx(scorepath::backend_choice::cuda);
    scorepath::sampler_options opt;
    opt.process = vp_process();
    opt.steps = kSteps;
    opt.denoise = false;
    const std::size_t n = paths * static_cast<std::uint64_t>(score.dim);
    scorepath::device_buffer out(n * sizeof(float), ctx.stream());
    scorepath::rng_stream rng(1);
    const auto output = scorepath::device_output(out.as<float>(), n);
    scorepath::sample_paths(ctx, rng, score, opt, output);  // warm-up (module load, cuBLAS)
    for (auto _ : state) {
      const auto r = scorepath::sample_paths(ctx, rng, score, opt, output);
      benchmark::DoNotOptimize(r.non_finite_paths);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * paths * kSteps));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

int register_sample_benchmarks() {
  const auto net = scorepath::mlp_network<float>::random(
      2, {128, 128}, scorepath::mlp_activation::softplus, 5, vp_process());
  const auto network = scorepath::network_batch_score(net);
  const auto exact = scorepath::mixture_batch_score<float>(scorepath::ring_mixture_components(2));
  for (const auto& [name, score] : {std::pair{"mlp2_h128", network}, std::pair{"ring_exact", exact}}) {
    auto* b = benchmark::RegisterBenchmark(
        (std::string("sample_cpu/") + name + "/float").c_str(),
        [score = score](benchmark::State& s) { run_sampler(s, score); });
    b->ArgNames({"cpu_threads"})->Arg(1)->Arg(2)->UseRealTime()->MeasureProcessCPUTime();
    if (scorepath::cuda_device_count() == 0) continue;
    auto* g = benchmark::RegisterBenchmark(
        (std::string("sample_cuda/") + name + "/float").c_str(),
        [score = score](benchmark::State& s) { run_sampler_cuda(s, score); });
    g->ArgNames({"paths"})->Arg(1 << 16)->Arg(1 << 20)->UseRealTime();
    g->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("path_engine_cpu/vp2/float", path_engine)
      ->ArgNames({"cpu_threads"})
      ->Arg(1)
      ->Arg(2)
      ->UseRealTime()
      ->MeasureProcessCPUTime();
  return 0;
}

[[maybe_unused]] const int sample_benchmarks_registered = register_sample_benchmarks();

}  // namespace
