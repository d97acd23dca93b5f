// CPU backend of random_fill.hpp: SIMD packs of subsequences, the same Philox and Box–Muller code
// as the path engine.
#include "scorepath/random_fill.hpp"

#include <algorithm>
#include <string>

#include "scorepath/detail/chunking.hpp"
#include "scorepath/detail/cpu_threads.hpp"
#include "scorepath/detail/em_cpu.hpp"
#include "scorepath/error.hpp"
#include "scorepath/normals.hpp"

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

/// Runs @p body(first_stream, count) over packs of W streams, in parallel.
template <int W, class Body>
void for_each_pack(const context& ctx, std::uint64_t streams, Body body) {
  const std::uint64_t pack_count = pieces(streams, W);
  const std::int64_t packs = static_cast<std::int64_t>(pack_count);
  const int threads = cpu_threads_for(ctx, pack_count);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (std::int64_t p = 0; p < packs; ++p) {
    const std::uint64_t first = static_cast<std::uint64_t>(p) * W;
    body(first, static_cast<int>(std::min<std::uint64_t>(W, streams - first)));
  }
}

template <class T>
void normals_cpu(const context& ctx, std::uint64_t seed, std::uint64_t base, std::uint64_t streams,
                 std::uint64_t draws, T* out) {
  using Real = simd::pack<T, std::is_same_v<T, float> ? simd::float_lanes : simd::double_lanes>;
  constexpr int W = Real::lanes;
  for_each_pack<W>(ctx, streams, [&](std::uint64_t first, int count) {
    lane_word_t<Real> lo, hi;
    subsequence_lanes<Real>(base, first, lo, hi);
    philox_normals<Real> normals(seed, lo, hi);
    for (std::uint64_t d = 0; d < draws; ++d) {
      const Real z = normals.next();
      T* row = out + d * streams + first;
      if (count == W) {
        z.store(row);
      } else {
        z.store_first(row, count);
      }
    }
  });
}

void words_cpu(const context& ctx, std::uint64_t seed, std::uint64_t base, std::uint64_t streams,
               std::uint64_t words, std::uint32_t* out) {
  using Word = simd::pack<std::uint32_t, simd::float_lanes>;
  constexpr int W = Word::lanes;
  const auto k0 = static_cast<std::uint32_t>(seed);
  const auto k1 = static_cast<std::uint32_t>(seed >> 32);
  for_each_pack<W>(ctx, streams, [&](std::uint64_t first, int count) {
    Word lo, hi;
    subsequence_lanes<simd::pack<float, W>>(base, first, lo, hi);
    const std::uint64_t blocks = pieces(words, 4);
    for (std::uint64_t block = 0; block < blocks; ++block) {
      const philox_block<Word> r = philox4x32_10(
          philox_block<Word>{Word(static_cast<std::uint32_t>(block)),
                             Word(static_cast<std::uint32_t>(block >> 32)), lo, hi},
          k0, k1);
      const Word w[4] = {r.x, r.y, r.z, r.w};
      for (std::uint64_t j = 0; j < 4 && block * 4 + j < words; ++j) {
        std::uint32_t* row = out + (block * 4 + j) * streams + first;
        if (count == W) {
          w[j].store(row);
        } else {
          w[j].store_first(row, count);
        }
      }
    }
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
