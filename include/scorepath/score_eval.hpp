/**
 * @file score_eval.hpp
 * @brief The plain forward pass of a score model: S(x_s) for a batch of samples, on the CPU
 *        backend, with the same threads and SIMD packs as sliced score matching.
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "scorepath/concepts.hpp"
#include "scorepath/context.hpp"
#include "scorepath/detail/block_decomposition.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/detail/ssm_cpu.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/moments.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

namespace detail {

/// Checks an evaluate_scores request; throws before anything is written.
template <class T, int D>
void check_score_request(const context& ctx, input_span<T> samples, const output_span<T>& scores) {
  if (ctx.kind() == backend::cuda) {
    throw unavailable_error(
        "evaluate_scores runs on the CPU backend only; pass a context(backend_choice::cpu)",
        __FILE__, __LINE__);
  }
  SCOREPATH_EXPECTS(samples.data != nullptr && samples.size > 0, "samples", "empty",
                    "must hold at least one sample");
  SCOREPATH_EXPECTS(samples.size % D == 0, "samples size", samples.size,
                    "must be a multiple of the model dimension " + std::to_string(D));
  SCOREPATH_EXPECTS(samples.space == memory_space::host, "samples space", "device",
                    "the CPU backend needs host memory");
  SCOREPATH_EXPECTS(scores.wanted(), "scores", "empty",
                    "must hold " + std::to_string(samples.size) + " values");
  SCOREPATH_EXPECTS(scores.size == samples.size, "scores size", scores.size,
                    "must equal the samples size " + std::to_string(samples.size));
  SCOREPATH_EXPECTS(scores.space == memory_space::host, "scores space", "device",
                    "the CPU backend needs host memory");
  require_finite_rows("samples", samples.data, samples.size, D);
}

/// S(x) for @p n samples: the CPU driver's threads over blocks of samples, SIMD packs within a
/// block; no scratch and nothing to fold.
template <class Model, class T>
void evaluate_scores_cpu(const context& ctx, const Model& model, const T* samples, T* scores,
                         std::uint64_t n) {
  using R = ssm_cpu_lane_t<Model, T>;
  constexpr int W = lane_traits<R>::lanes;
  constexpr int D = Model::dim;
  cpu_run_blocks<moment_accumulator, no_scratch>(
      ctx, block_decomposition::single_chunk(n), cpu_block_schedule::even, 0, [](no_scratch&) {},
      [&](const item_range& block, no_scratch&, moment_accumulator*) {
        for (std::uint64_t first = block.begin; first < block.end(); first += W) {
          const int count = static_cast<int>(std::min<std::uint64_t>(W, n - first));
          vec<R, D> x;
          gather_sample_lanes(x, samples, first, count);
          store_sample_lanes(scores, model(x), first, count);
        }
      },
      no_fold());
}

}  // namespace detail

/**
 * @brief The score S(x_s) of @p model at each of N samples (row-major N×D, [s·D + i]), written to
 *        @p scores in the same layout.
 *
 * Runs on the CPU backend: `ctx.threads()` OpenMP threads over blocks of samples and SIMD packs of
 * samples within a block, as sliced_score_matching does, so it is the forward-pass baseline for
 * it. Every sample is computed on its own, so the output is bitwise the same for any thread count.
 * @p samples and @p scores must not overlap.
 *
 * @throw invalid_argument_error naming the parameter: empty samples, a size that is not a multiple
 *        of D, a non-finite element (named `samples[s][i]`), a @p scores size other than the
 *        samples size, device memory; nothing is written then
 * @throw unavailable_error when @p ctx is a CUDA context: the forward pass runs on the CPU backend
 *        only (there is no CUDA kernel for it)
 */
template <class Model, class T = scalar_type_or_t<Model>>
void evaluate_scores(const context& ctx, const Model& model, input_span<T> samples,
                     output_span<T> scores) {
  static_assert(score_model_requirements<Model>::value,
                "evaluate_scores: the model lacks what scorepath/concepts.hpp lists");
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  detail::check_score_request<T, Model::dim>(ctx, samples, scores);
  detail::evaluate_scores_cpu(ctx, model, samples.data, scores.data, samples.size / Model::dim);
}

/// Convenience overload for host samples in a vector; returns the N·D scores.
template <class Model, class T = scalar_type_or_t<Model>>
std::vector<T> evaluate_scores(const context& ctx, const Model& model,
                               const std::vector<T>& samples) {
  std::vector<T> scores = allocating("scores", [&] { return std::vector<T>(samples.size()); });
  evaluate_scores(ctx, model, host_input(samples.data(), samples.size()),
                  host_output(scores.data(), scores.size()));
  return scores;
}

}  // namespace scorepath
