/**
 * @file sampling/sampler_cuda.hpp
 * @brief The CUDA driver of sample_paths: the paths' states, scores and normals stay on the
 *        device, in chunks of paths that fit cuda_sampler_chunk_bytes; for each score evaluation
 *        of the sampler (sampling/sampler_updates.hpp) the score's device evaluator runs, then one
 *        thread per path applies the update. Path p draws from the same Philox subsequence as on
 *        the CPU, so the samples equal the CPU's to rounding (device exp, log and sqrt differ by
 *        a few ULP), not bit for bit.
 *
 * Defined in CUDA builds of the library only (SCOREPATH_HAVE_CUDA = 1).
 */
#pragma once

#include <cstddef>
#include <cstdint>

#include "scorepath/context.hpp"
#include "scorepath/sampling/batch_score.hpp"
#include "scorepath/sampling/sampler_options.hpp"

namespace scorepath::detail {

/// Device memory a chunk of paths' states, scores and normals may take.
inline constexpr std::size_t cuda_sampler_chunk_bytes = std::size_t{1} << 30;

/**
 * @brief Runs @p paths paths of @p opt with @p score (its make_device_evaluator) on the device of
 *        @p ctx, their subsequences from @p base on key @p seed, and writes the final states
 *        (row-major) to @p out (device memory when @p out_on_device, else host). Unchecked
 *        (validate_sampler first).
 * @return the number of paths that ended with a coordinate not finite
 */
template <class T>
std::uint64_t sample_paths_cuda(const context& ctx, const batch_score<T>& score,
                                const sampler_options& opt, std::uint64_t seed,
                                std::uint64_t base, std::uint64_t paths, T* out,
                                bool out_on_device);

}  // namespace scorepath::detail
