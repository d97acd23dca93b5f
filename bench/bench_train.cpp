// Throughput of one training step on the CPU backend: the loss and its parameter gradient
// (score_loss_gradient) and an Adam step, for the two MLPs of the SSM benchmarks, and the
// arithmetic rate of the gradient engine.
//
// Names are "train_step_cpu/<net>/<precision>/<loss>/M:<M>/cpu_threads:<n>"; items are samples
// (the batch, 256 per step). The "gflops" counter counts the multiply-adds of the matrix products
// the step performs: with K tangents a layer of w_in → w_out costs 2·w_in·w_out·(1 + K) flops per
// sample forward and twice that backward (∂W and Wᵀg), so 6·Σ_l w_l·w_{l+1}·(1 + K) in all.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "scorepath/context.hpp"
#include "scorepath/training/adam.hpp"
#include "scorepath/training/loss_gradient.hpp"

namespace {

using scorepath::bench::cpu_utilisation;
using scorepath::bench::precision_name;

constexpr std::uint64_t kBatch = 256;

template <class T>
void train_step(benchmark::State& state, int dim, std::vector<int> hidden,
                scorepath::score_loss loss) {
  const auto probes = static_cast<std::uint32_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  auto net = scorepath::mlp_network<T>::random(dim, hidden, scorepath::mlp_activation::softplus, 5);
  std::mt19937_64 gen(11);
  std::normal_distribution<double> normal;
  std::vector<T> x(kBatch * dim);
  for (T& e : x) e = static_cast<T>(normal(gen));
  scorepath::context ctx(scorepath::backend_choice::cpu);
  ctx.set_threads(threads);
  scorepath::loss_gradient_options opt;
  opt.loss = loss;
  opt.probes = probes;
  std::vector<T> gradient(net.parameters().size());
  std::vector<T> weights = net.parameters();
  scorepath::adam_optimizer adam(scorepath::adam_options{},
                                 std::vector<double>(weights.begin(), weights.end()));
  scorepath::rng_stream rng(3);
  const cpu_utilisation cpu;
  for (auto _ : state) {
    const auto r = scorepath::score_loss_gradient(
        ctx, rng, net, scorepath::host_input(x.data(), x.size()), opt,
        scorepath::host_output(gradient.data(), gradient.size()));
    benchmark::DoNotOptimize(r.loss.value);
    adam.step(weights, gradient);
  }
  const int k = loss == scorepath::score_loss::ism   ? dim
                : loss == scorepath::score_loss::dsm ? 0
                                                     : static_cast<int>(probes);
  std::vector<int> widths = {dim};
  widths.insert(widths.end(), hidden.begin(), hidden.end());
  widths.push_back(dim);
  double macs = 0;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) macs += double(widths[l]) * widths[l + 1];
  const double flops_per_sample = 6.0 * macs * (1 + k);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.counters["gflops"] = benchmark::Counter(
      flops_per_sample * kBatch * 1e-9 * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.counters["cpu_per_wall"] = cpu.ratio();
}

template <class T>
void register_net(const char* name, int dim, std::vector<int> hidden) {
  for (scorepath::score_loss loss : {scorepath::score_loss::ssm_vr, scorepath::score_loss::dsm}) {
    const std::string full = std::string("train_step_cpu/") + name + "/" + precision_name<T>() +
                             "/" + scorepath::to_string(loss);
    auto* b = benchmark::RegisterBenchmark(full.c_str(), [=](benchmark::State& s) {
      train_step<T>(s, dim, hidden, loss);
    });
    b->ArgNames({"M", "cpu_threads"});
    for (std::int64_t m : loss == scorepath::score_loss::dsm ? std::vector<std::int64_t>{1}
                                                             : std::vector<std::int64_t>{1, 4}) {
      for (std::int64_t t : {1, 2}) b->Args({m, t});
    }
    b->UseRealTime()->MeasureProcessCPUTime();
  }
}

int register_train_benchmarks() {
  register_net<float>("mlp2_h128", 2, {128, 128});
  register_net<float>("mlp64_h256", 64, {256, 256});
  return 0;
}

[[maybe_unused]] const int train_benchmarks_registered = register_train_benchmarks();

}  // namespace
