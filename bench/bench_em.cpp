// Throughput of simulate_em (Euler–Maruyama path ensembles) and of the raw Philox normals it
// draws, on the CPU backend (and on CUDA where a device exists).
//
// Items are path-steps for the EM benchmarks and normals for the raw generator. The GBM 1-D run
// draws exactly one normal per path-step, so
//
//     em_cpu/gbm1/<T>/statistics/paths:1000000/cpu_threads:N   items_per_second
//   / normals_cpu/<T>/streams:1000000/draws:256/cpu_threads:N  items_per_second
//
// is the fraction of the raw generator rate the path engine keeps (bench/em_ratios.py prints it).
// Both sides produce 2.56e8 normals per iteration; the generator writes them out, the engine
// consumes them in registers.
//
// Names are "<backend>/<workload>/<precision>/<mode>/paths:N/cpu_threads:N"; em_ratios.py parses
// them, so keep the pattern when adding cases.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "scorepath/context.hpp"
#include "scorepath/ensemble.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/random_fill.hpp"
#include "scorepath/rng_stream.hpp"
#include "scorepath/sdes/geometric_brownian_motion.hpp"
#include "scorepath/sdes/ornstein_uhlenbeck.hpp"

#if SCOREPATH_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace {

using scorepath::bench::cpu_utilisation;
using scorepath::bench::precision_name;

using scorepath::backend_choice;
using scorepath::context;
using scorepath::em_options;
using scorepath::em_outputs;
using scorepath::rng_stream;

constexpr std::uint64_t kSteps = 256;
constexpr std::uint64_t kSeed = 20240611;

enum class em_mode { final_states, statistics };

const char* mode_name(em_mode m) {
  return m == em_mode::statistics ? "statistics" : "final_states";
}

// The two workloads: a 1-D scalar-noise SDE (one normal per path-step) and an 8-D diagonal one
// (eight normals per path-step).
template <class T>
struct gbm1 {
  using sde_type = scorepath::geometric_brownian_motion<T>;
  static constexpr const char* name = "gbm1";
  static sde_type make() { return sde_type(T(0.05), T(0.2)); }
  static std::vector<T> x0() { return {T(100)}; }
};

template <class T>
struct ou8 {
  using sde_type = scorepath::ornstein_uhlenbeck<T, 8>;
  static constexpr const char* name = "ou8";
  static sde_type make() { return sde_type(T(1.5), T(0.25), T(0.3)); }
  static std::vector<T> x0() { return std::vector<T>(8, T(1)); }
};

em_options make_options(std::uint64_t paths, em_mode mode) {
  em_options opt;
  opt.paths = paths;
  opt.steps = kSteps;
  opt.t0 = 0.0;
  opt.t1 = 1.0;
  opt.statistics = mode == em_mode::statistics;
  return opt;
}

template <class Sde>
void set_em_counters(benchmark::State& state, std::uint64_t paths) {
  constexpr int M = scorepath::noise_dimension<Sde>;
  const auto iters = static_cast<double>(state.iterations());
  const double path_steps = static_cast<double>(paths) * static_cast<double>(kSteps);
  state.SetItemsProcessed(static_cast<std::int64_t>(iters * path_steps));
  state.counters["normals/s"] =
      benchmark::Counter(iters * path_steps * M, benchmark::Counter::kIsRate);
}

// ----------------------------------------------------------------------------------------------
// CPU
// ----------------------------------------------------------------------------------------------

// Args: {paths, cpu_threads}.
template <template <class> class W, class T>
void em_cpu(benchmark::State& state, em_mode mode) {
  using Sde = typename W<T>::sde_type;
  const auto paths = static_cast<std::uint64_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  try {
    context ctx(backend_choice::cpu);
    ctx.set_threads(threads);
    rng_stream rng(kSeed);
    const Sde sde = W<T>::make();
    const std::vector<T> x0 = W<T>::x0();
    const em_options opt = make_options(paths, mode);
    std::vector<T> final_states;
    em_outputs<T> out;
    if (mode == em_mode::final_states) {
      final_states.assign(static_cast<std::size_t>(Sde::dim) * paths, T(0));  // pages touched
      out.final_states = scorepath::host_output(final_states.data(), final_states.size());
    }
    const cpu_utilisation util;
    for (auto _ : state) {
      scorepath::em_report report = scorepath::simulate_em(ctx, rng, sde, x0, opt, out);
      if (mode == em_mode::statistics) {
        benchmark::DoNotOptimize(report.statistics.front().mean);
      } else {
        benchmark::DoNotOptimize(final_states.data());
        benchmark::ClobberMemory();
      }
    }
    state.counters["cpu_per_wall"] = util.ratio();
    set_em_counters<Sde>(state, paths);
    state.SetLabel(std::string("cpu threads=") + std::to_string(threads) + " " +
                   precision_name<T>() + " " + mode_name(mode));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// One host buffer shared by every raw-normal run (1 GB for float, 2 GB for double at 1e6 x 256):
// Google Benchmark calls a function several times per case, and a fresh allocation each time would
// cost a page fault per 4 KiB and leave the first timed pass writing into newly mapped memory.
void* normals_scratch(std::size_t bytes) {
  static std::unique_ptr<unsigned char[]> buffer;
  static std::size_t capacity = 0;
  if (bytes > capacity) {
    buffer.reset();
    buffer.reset(new unsigned char[bytes]);
    std::memset(buffer.get(), 0, bytes);  // map every page before timing
    capacity = bytes;
  }
  return buffer.get();
}

// Args: {streams, draws, cpu_threads}. Items are normals.
template <class T>
void normals_cpu(benchmark::State& state) {
  const auto streams = static_cast<std::uint64_t>(state.range(0));
  const auto draws = static_cast<std::uint64_t>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  try {
    context ctx(backend_choice::cpu);
    ctx.set_threads(threads);
    rng_stream rng(kSeed);
    const auto n = static_cast<std::size_t>(streams * draws);
    const auto out = scorepath::host_output(static_cast<T*>(normals_scratch(n * sizeof(T))), n);
    const cpu_utilisation util;
    for (auto _ : state) {
      scorepath::generate_normals<T>(ctx, rng, streams, draws, out);
      benchmark::DoNotOptimize(out.data);
      benchmark::ClobberMemory();
    }
    state.counters["cpu_per_wall"] = util.ratio();
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(streams * draws));
    state.SetLabel(std::string("cpu threads=") + std::to_string(threads) + " " +
                   precision_name<T>() + " raw normals");
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

const std::vector<int> kThreadCounts = {1, 2};

template <template <class> class W, class T>
void register_em_cpu(em_mode mode, const std::vector<std::int64_t>& paths) {
  const std::string name = std::string("em_cpu/") + W<T>::name + "/" + precision_name<T>() + "/" +
                           mode_name(mode);
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [mode](benchmark::State& s) {
    em_cpu<W, T>(s, mode);
  });
  b->ArgNames({"paths", "cpu_threads"});
  for (std::int64_t p : paths) {
    for (int t : kThreadCounts) b->Args({p, t});
  }
  b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);
}

template <class T>
void register_normals_cpu() {
  const std::string name = std::string("normals_cpu/") + precision_name<T>();
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [](benchmark::State& s) {
    normals_cpu<T>(s);
  });
  b->ArgNames({"streams", "draws", "cpu_threads"});
  // 1e6 x 256 is the GBM 1e6-path run's normal count (the ratio's denominator); 1e4 x 256 keeps
  // the output (10/20 MB) closer to cache, for a less memory-bound generator rate.
  for (std::int64_t streams : {std::int64_t{10'000}, std::int64_t{1'000'000}}) {
    for (int t : kThreadCounts) b->Args({streams, static_cast<std::int64_t>(kSteps), t});
  }
  b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);
}

void register_cpu() {
  const std::vector<std::int64_t> gbm_final = {10'000, 100'000, 1'000'000};
  const std::vector<std::int64_t> gbm_stats = {10'000, 100'000, 1'000'000, 10'000'000};
  // Eight normals and eight components per path-step: at most 1e5 paths keeps an iteration
  // within a few seconds on one thread (double: ~2.5 s). 1e3 paths is a single reduction block
  // of 1024 paths, so it shows what the second thread cannot take over.
  const std::vector<std::int64_t> ou_final = {1'000, 10'000, 100'000};
  const std::vector<std::int64_t> ou_stats = {1'000, 10'000, 100'000};

  register_em_cpu<gbm1, float>(em_mode::final_states, gbm_final);
  register_em_cpu<gbm1, float>(em_mode::statistics, gbm_stats);
  register_em_cpu<gbm1, double>(em_mode::final_states, gbm_final);
  register_em_cpu<gbm1, double>(em_mode::statistics, gbm_stats);
  register_em_cpu<ou8, float>(em_mode::final_states, ou_final);
  register_em_cpu<ou8, float>(em_mode::statistics, ou_stats);
  register_em_cpu<ou8, double>(em_mode::final_states, ou_final);
  register_em_cpu<ou8, double>(em_mode::statistics, ou_stats);
  register_normals_cpu<float>();
  register_normals_cpu<double>();
}

// ----------------------------------------------------------------------------------------------
// CUDA (registered only when a device exists): device-side outputs, timed with cudaEvents on the
// context's stream.
// ----------------------------------------------------------------------------------------------
#if SCOREPATH_HAVE_CUDA

struct cuda_events {
  cudaEvent_t start = nullptr, stop = nullptr;
  cuda_events() {
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
  }
  ~cuda_events() {
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
  }
  cuda_events(const cuda_events&) = delete;
  cuda_events& operator=(const cuda_events&) = delete;
  /// Times @p body between two events on @p stream, in seconds.
  template <class Body>
  double time(cudaStream_t stream, Body body) {
    cudaEventRecord(start, stream);
    body();
    cudaEventRecord(stop, stream);
    cudaEventSynchronize(stop);
    float ms = 0.0f;
    cudaEventElapsedTime(&ms, start, stop);
    return static_cast<double>(ms) * 1e-3;
  }
};

// Args: {paths}.
template <template <class> class W, class T>
void em_cuda(benchmark::State& state, em_mode mode) {
  using Sde = typename W<T>::sde_type;
  const auto paths = static_cast<std::uint64_t>(state.range(0));
  try {
    context ctx(backend_choice::cuda);
    const auto stream = static_cast<cudaStream_t>(ctx.stream());
    rng_stream rng(kSeed);
    const Sde sde = W<T>::make();
    const std::vector<T> x0 = W<T>::x0();
    const em_options opt = make_options(paths, mode);
    scorepath::device_buffer final_states;
    em_outputs<T> out;
    if (mode == em_mode::final_states) {
      const std::size_t n = static_cast<std::size_t>(Sde::dim) * paths;
      final_states = scorepath::device_buffer(n * sizeof(T), ctx.stream());
      out.final_states = scorepath::device_output(final_states.as<T>(), n);
    }
    scorepath::simulate_em(ctx, rng, sde, x0, opt, out);  // warm-up (module load, pools)
    cuda_events ev;
    for (auto _ : state) {
      state.SetIterationTime(
          ev.time(stream, [&] { scorepath::simulate_em(ctx, rng, sde, x0, opt, out); }));
    }
    set_em_counters<Sde>(state, paths);
    state.SetLabel(std::string("cuda ") + precision_name<T>() + " " + mode_name(mode));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// Args: {streams, draws}.
template <class T>
void normals_cuda(benchmark::State& state) {
  const auto streams = static_cast<std::uint64_t>(state.range(0));
  const auto draws = static_cast<std::uint64_t>(state.range(1));
  try {
    context ctx(backend_choice::cuda);
    const auto stream = static_cast<cudaStream_t>(ctx.stream());
    rng_stream rng(kSeed);
    const std::size_t n = static_cast<std::size_t>(streams * draws);
    scorepath::device_buffer out(n * sizeof(T), ctx.stream());
    const auto span = scorepath::device_output(out.as<T>(), n);
    scorepath::generate_normals<T>(ctx, rng, streams, draws, span);  // warm-up
    cuda_events ev;
    for (auto _ : state) {
      state.SetIterationTime(
          ev.time(stream, [&] { scorepath::generate_normals<T>(ctx, rng, streams, draws, span); }));
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
    state.SetLabel(std::string("cuda ") + precision_name<T>() + " raw normals");
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

template <template <class> class W, class T>
void register_em_cuda(em_mode mode, const std::vector<std::int64_t>& paths) {
  const std::string name = std::string("em_cuda/") + W<T>::name + "/" + precision_name<T>() +
                           "/" + mode_name(mode);
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [mode](benchmark::State& s) {
    em_cuda<W, T>(s, mode);
  });
  b->ArgNames({"paths"});
  for (std::int64_t p : paths) b->Args({p});
  b->UseManualTime()->Unit(benchmark::kMillisecond);
}

template <class T>
void register_normals_cuda() {
  const std::string name = std::string("normals_cuda/") + precision_name<T>();
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [](benchmark::State& s) {
    normals_cuda<T>(s);
  });
  b->ArgNames({"streams", "draws"});
  b->Args({1'000'000, static_cast<std::int64_t>(kSteps)});
  b->UseManualTime()->Unit(benchmark::kMillisecond);
}

void register_cuda() {
  const std::vector<std::int64_t> gbm = {1'000'000, 10'000'000};
  register_em_cuda<gbm1, float>(em_mode::statistics, gbm);
  register_em_cuda<gbm1, double>(em_mode::statistics, gbm);
  register_em_cuda<gbm1, float>(em_mode::final_states, {1'000'000});
  register_em_cuda<ou8, float>(em_mode::statistics, {1'000'000});
  register_normals_cuda<float>();
  register_normals_cuda<double>();
}

#endif  // SCOREPATH_HAVE_CUDA

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_cpu();
#if SCOREPATH_HAVE_CUDA
  if (scorepath::cuda_device_count() > 0) register_cuda();
#endif
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
