/**
 * @file random_fill.hpp
 * @brief Bulk Philox words and standard normals, keyed exactly like the path engine's draws.
 *
 * Output element (d, s) is draw d of subsequence `base + s`, stored at `out[d·streams + s]`,
 * where `base = rng.reserve(streams)`. These are the numbers path s of simulate_em would draw from
 * the same stream state, so the functions serve as a reference, for GPU-vs-CPU checks, and as the
 * raw normal rate the engine is measured against.
 */
#pragma once

#include <cstdint>

#include "scorepath/context.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/rng_stream.hpp"

namespace scorepath {

/**
 * @brief Fills @p out with @p draws standard normals for each of @p streams subsequences.
 * @tparam T float or double
 * @throw invalid_argument_error naming `streams`, `draws` or `out size`/`out space`
 */
template <class T>
void generate_normals(const context& ctx, rng_stream& rng, std::uint64_t streams,
                      std::uint64_t draws, output_span<T> out);

/**
 * @brief Fills @p out with @p words raw Philox4x32-10 words for each of @p streams subsequences.
 * @throw invalid_argument_error naming `streams`, `words` or `out size`/`out space`
 */
void generate_philox_words(const context& ctx, rng_stream& rng, std::uint64_t streams,
                           std::uint64_t words, output_span<std::uint32_t> out);

namespace detail {
/// Shared argument checks; returns the element count.
std::uint64_t check_fill_request(const context& ctx, std::uint64_t streams, std::uint64_t per_stream,
                                 const char* per_stream_name, std::size_t out_size,
                                 memory_space out_space, bool out_null);
template <class T>
void generate_normals_cuda(const context& ctx, std::uint64_t seed, std::uint64_t base,
                           std::uint64_t streams, std::uint64_t draws, T* out, bool out_on_device);
void generate_philox_words_cuda(const context& ctx, std::uint64_t seed, std::uint64_t base,
                                std::uint64_t streams, std::uint64_t words, std::uint32_t* out,
                                bool out_on_device);
}  // namespace detail

}  // namespace scorepath
