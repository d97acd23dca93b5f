// An exception thrown by user code on a CPU worker thread (a score model, a reducer) or a failed
// allocation there reaches the caller as an exception, not as a terminated program.
#include <gtest/gtest.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <vector>

#include "scorepath/ensemble.hpp"
#include "scorepath/score_eval.hpp"
#include "scorepath/ssm.hpp"

namespace scorepath {
namespace {

context two_threads() {
  context ctx(backend_choice::cpu);
  ctx.set_threads(2);
  return ctx;
}

/// Fails on its @p fail_at-th call (counted over all threads) by throwing @p Failure.
template <class Failure>
struct failing_call {
  std::atomic<long>* calls;
  long fail_at;
  void count() const {
    if (calls->fetch_add(1) + 1 == fail_at) {
      if constexpr (std::is_same_v<Failure, std::bad_alloc>) {
        throw std::bad_alloc();
      } else {
        throw Failure("user code failed");
      }
    }
  }
};

/// A 2-D standard Gaussian score that fails once; scalar lanes only.
template <class Failure>
struct failing_score {
  static constexpr int dim = 2;
  static constexpr bool vectorizable = false;
  using scalar_type = double;
  failing_call<Failure> fail;
  template <class R>
  vec<R, 2> operator()(const vec<R, 2>& x) const {
    fail.count();
    return {R(0.0) - x[0], R(0.0) - x[1]};
  }
};

/// The final state's first component, failing once.
template <class Failure>
struct failing_reducer {
  static constexpr bool vectorizable = false;
  failing_call<Failure> fail;
  template <class R, int D>
  R operator()(const vec<R, D>& x) const {
    fail.count();
    return x[0];
  }
};

TEST(WorkerExceptions, ScoreModelFailureReachesTheCaller) {
  std::atomic<long> calls{0};
  const failing_score<std::runtime_error> model{{&calls, 3000}};
  const std::vector<double> x(2 * 10000, 0.5);
  rng_stream rng(1);
  ssm_options opt;
  EXPECT_THROW(sliced_score_matching(two_threads(), rng, model, x, opt), std::runtime_error);
  std::vector<double> scores(x.size());
  calls = 0;
  EXPECT_THROW(evaluate_scores(two_threads(), model, host_input(x.data(), x.size()),
                               host_output(scores.data(), scores.size())),
               std::runtime_error);
}

TEST(WorkerExceptions, FailedAllocationOnAWorkerIsOutOfMemoryError) {
  std::atomic<long> calls{0};
  const failing_score<std::bad_alloc> model{{&calls, 5000}};
  const std::vector<double> x(2 * 10000, 0.5);
  rng_stream rng(1);
  EXPECT_THROW(sliced_score_matching(two_threads(), rng, model, x, ssm_options{}),
               out_of_memory_error);
}

TEST(WorkerExceptions, ReducerFailureReachesTheCaller) {
  std::atomic<long> calls{0};
  const failing_reducer<std::logic_error> reducer{{&calls, 7000}};
  const geometric_brownian_motion<double> gbm(0.05, 0.2);
  em_options opt;
  opt.paths = 20000;
  opt.steps = 4;
  rng_stream rng(2);
  EXPECT_THROW(simulate_em(two_threads(), rng, gbm, {1.0}, opt, {}, reducer), std::logic_error);
  // The same run without the failure completes.
  calls = 0;
  const failing_reducer<std::logic_error> fine{{&calls, -1}};
  rng_stream again(2);
  EXPECT_EQ(simulate_em(two_threads(), again, gbm, {1.0}, opt, {}, fine).reducer->count, 20000u);
}

}  // namespace
}  // namespace scorepath
