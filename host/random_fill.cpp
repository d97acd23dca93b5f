// CPU backend of random_fill.hpp: the CPU driver over blocks of streams, SIMD packs of
// subsequences within a block, the same Philox and Box–Muller code as the path engine.
#include "scorepath/random_fill.hpp"

#include <algorithm>
#include <string>
#include <type_traits>

#include "scorepath/detail/block_decomposition.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/detail/subsequence_ids.hpp"
#include "scorepath/error.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/simd_pack.hpp"

namespace scorepath {

namespace detail {

std::uint64_t check_fill_request(const context& ctx, std::uint64_t streams, std::uint64_t per_stream,
                                 const char* per_stream_name, std::size_t out_size,
                                 memory_space out_space, bool out_null) {
  SCOREPATH_EXPECTS(streams >= 1, "streams", streams, "must be at least 1");
  SCOREPATH_EXPECTS(per_stream >= 1, per_stream_name, per_stream, "must be at least 1");
  const std::size_t need = checked_size_product(streams, per_stream, "out");
  SCOREPATH_EXPECTS(!out_null, "out", "null", "must point at " + std::to_string(need) + " elements");
  SCOREPATH_EXPECTS(out_size == need, "out size", out_size, "must equal " + std::to_string(need));
  SCOREPATH_EXPECTS(ctx.kind() == backend::cuda || out_space == memory_space::host, "out space",
                    "device", "the CPU backend needs host memory");
  return need;
}

namespace {

/**
 * Runs @p body(first_stream, count) over packs of W streams: the CPU driver's threads over blocks
 * of streams, packs within a block. Every stream is computed on its own.
 */
template <int W, class Body>
void for_each_pack(const context& ctx, std::uint64_t streams, Body body) {
  cpu_run_blocks<moment_accumulator, no_scratch>(
      ctx, block_decomposition::single_chunk(streams), cpu_block_schedule::even, 0,
      [](no_scratch&) {},
      [&](const item_range& block, no_scratch&, moment_accumulator*) {
        for (std::uint64_t first = block.begin; first < block.end(); first += W) {
          body(first, static_cast<int>(std::min<std::uint64_t>(W, streams - first)));
        }
      },
      no_fold());
}

/// Stores the first @p count lanes of @p value at @p row.
template <class Pack, class Scalar>
void store_lanes(const Pack& value, Scalar* row, int count) {
  if (count == Pack::lanes) {
    value.store(row);
  } else {
    value.store_first(row, count);
  }
}

template <class T>
void normals_cpu(const context& ctx, std::uint64_t seed, std::uint64_t base, std::uint64_t streams,
                 std::uint64_t draws, T* out) {
  using Real = simd::pack<T, std::is_same_v<T, float> ? simd::float_lanes : simd::double_lanes>;
  for_each_pack<Real::lanes>(ctx, streams, [&](std::uint64_t first, int count) {
    lane_word_t<Real> lo, hi;
    subsequence_lanes<Real>(base, first, lo, hi);
    philox_normals<Real> normals(seed, lo, hi);
    for (std::uint64_t d = 0; d < draws; ++d) store_lanes(normals.next(), out + d * streams + first, count);
  });
}

void words_cpu(const context& ctx, std::uint64_t seed, std::uint64_t base, std::uint64_t streams,
               std::uint64_t words, std::uint32_t* out) {
  using Real = simd::pack<float, simd::float_lanes>;
  for_each_pack<Real::lanes>(ctx, streams, [&](std::uint64_t first, int count) {
    lane_word_t<Real> lo, hi;
    subsequence_lanes<Real>(base, first, lo, hi);
    philox_words<lane_word_t<Real>> draws(seed, lo, hi);
    for (std::uint64_t w = 0; w < words; ++w) store_lanes(draws.next(), out + w * streams + first, count);
  });
}

}  // namespace
}  // namespace detail

template <class T>
void generate_normals(const context& ctx, rng_stream& rng, std::uint64_t streams,
                      std::uint64_t draws, output_span<T> out) {
  detail::check_fill_request(ctx, streams, draws, "draws", out.size, out.space, out.data == nullptr);
  const std::uint64_t seed = rng.seed();
  const std::uint64_t base = rng.reserve(streams);
  if (ctx.kind() == backend::cuda) {
    detail::generate_normals_cuda(ctx, seed, base, streams, draws, out.data,
                                  out.space == memory_space::device);
  } else {
    detail::normals_cpu(ctx, seed, base, streams, draws, out.data);
  }
}

void generate_philox_words(const context& ctx, rng_stream& rng, std::uint64_t streams,
                           std::uint64_t words, output_span<std::uint32_t> out) {
  detail::check_fill_request(ctx, streams, words, "words", out.size, out.space, out.data == nullptr);
  const std::uint64_t seed = rng.seed();
  const std::uint64_t base = rng.reserve(streams);
  if (ctx.kind() == backend::cuda) {
    detail::generate_philox_words_cuda(ctx, seed, base, streams, words, out.data,
                                       out.space == memory_space::device);
  } else {
    detail::words_cpu(ctx, seed, base, streams, words, out.data);
  }
}

template void generate_normals<float>(const context&, rng_stream&, std::uint64_t, std::uint64_t,
                                      output_span<float>);
template void generate_normals<double>(const context&, rng_stream&, std::uint64_t, std::uint64_t,
                                       output_span<double>);

#if !SCOREPATH_HAVE_CUDA
namespace detail {
template <class T>
void generate_normals_cuda(const context&, std::uint64_t, std::uint64_t, std::uint64_t,
                           std::uint64_t, T*, bool) {
  throw unavailable_error("this build has no CUDA backend", __FILE__, __LINE__);
}
template void generate_normals_cuda<float>(const context&, std::uint64_t, std::uint64_t,
                                           std::uint64_t, std::uint64_t, float*, bool);
template void generate_normals_cuda<double>(const context&, std::uint64_t, std::uint64_t,
                                            std::uint64_t, std::uint64_t, double*, bool);
void generate_philox_words_cuda(const context&, std::uint64_t, std::uint64_t, std::uint64_t,
                                std::uint64_t, std::uint32_t*, bool) {
  throw unavailable_error("this build has no CUDA backend", __FILE__, __LINE__);
}
}  // namespace detail
#endif

}  // namespace scorepath
