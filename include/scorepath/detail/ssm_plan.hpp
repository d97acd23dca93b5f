/**
 * @file detail/ssm_plan.hpp
 * @brief A validated sliced score matching request in the form both backends execute.
 */
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/grouped_moments.hpp"
#include "scorepath/moments.hpp"
#include "scorepath/probes.hpp"

namespace scorepath::detail {

/// Everything a backend needs (built and checked by sliced_score_matching).
template <class T>
struct ssm_plan {
  const T* samples = nullptr;         ///< [s·D + i]
  std::uint64_t count = 0;            ///< N
  std::uint32_t probes = 1;           ///< M
  probe_law law = probe_law::gaussian;
  bool ism = false;                   ///< also the exact ISM term
  double scale = 1.0;                 ///< 1, or ½ for Song et al.'s convention
  std::uint64_t chunk = 0;            ///< samples per chunk, a multiple of statistics_block
  std::uint64_t seed = 0;             ///< Philox key
  std::uint64_t base_subsequence = 0; ///< subsequence of sample 0
  T* projections = nullptr;           ///< [s·M + j] or null
  T* divergences = nullptr;           ///< [s·M + j] or null
  T* probe_values = nullptr;          ///< [(s·M + j)·D + i] or null
  T* per_sample[3] = {nullptr, nullptr, nullptr};  ///< ssm, ssm_vr, ism per sample, or null
  /// Where each pointer lives, as its span declared: samples, projections, divergences,
  /// probe_values, per_sample[0..2] (the CUDA backend stages host memory through the device).
  bool on_device[7] = {false, false, false, false, false, false, false};

  /// Reduced rows: ssm, ssm_vr, and ism when asked for.
  std::uint32_t rows() const { return ism ? 3u : 2u; }
};

/// Tangents per dual evaluation for M probes: 1, 2, 4 or 8, at most @p max_tangents.
inline int ssm_tangents(std::uint32_t probes, int max_tangents = 8) {
  const int k = probes >= 8 ? 8 : probes >= 4 ? 4 : probes >= 2 ? 2 : 1;
  return k < max_tangents ? k : max_tangents;
}

/// Most tangents a GPU thread carries for a D-dimensional model in precision T. A thread keeps
/// the input and the output duals live, 2·D·(K + 1) values, each one 32-bit register for float
/// and two for double; the caps below keep that within the 255-register limit with room for the
/// model's own temporaries (checked by scripts/check_spills.sh). Beyond D = 32 the loops over
/// dimensions stay rolled (for_dims, dim_loop.hpp) and those values live in local memory.
template <int D, class T>
inline constexpr int cuda_max_tangents = [] {
  constexpr int words = D * static_cast<int>(sizeof(T) / 4);
  return words <= 2 ? 8 : words <= 8 ? 4 : words <= 16 ? 2 : 1;
}();

/// Tangents per evaluation of the exact trace: D up to 8.
template <int D>
inline constexpr int ism_tangents = D < 8 ? D : 8;

/// Calls f(k_tag) with a std::integral_constant tag for the tangent count for M = @p probes.
template <int MaxK = 8, class F>
void dispatch_tangents(std::uint32_t probes, F&& f) {
  switch (ssm_tangents(probes, MaxK)) {
    case 8: f(std::integral_constant<int, (MaxK < 8 ? MaxK : 8)>{}); break;
    case 4: f(std::integral_constant<int, (MaxK < 4 ? MaxK : 4)>{}); break;
    case 2: f(std::integral_constant<int, (MaxK < 2 ? MaxK : 2)>{}); break;
    default: f(std::integral_constant<int, 1>{}); break;
  }
}

/// Calls f(law_tag, k_tag) with std::integral_constant tags for the law and tangent count.
template <int MaxK = 8, class F>
void dispatch_law_and_tangents(probe_law law, std::uint32_t probes, F&& f) {
  auto with_k = [&](auto law_tag) {
    dispatch_tangents<MaxK>(probes, [&](auto k_tag) { f(law_tag, k_tag); });
  };
  switch (law) {
    case probe_law::gaussian: with_k(std::integral_constant<probe_law, probe_law::gaussian>{}); break;
    case probe_law::rademacher:
      with_k(std::integral_constant<probe_law, probe_law::rademacher>{});
      break;
    case probe_law::sphere: with_k(std::integral_constant<probe_law, probe_law::sphere>{}); break;
    case probe_law::orthogonal:
      with_k(std::integral_constant<probe_law, probe_law::orthogonal>{});
      break;
  }
}

/// True when a CUDA kernel for @p Model is linked in; specialised by the library.
template <class Model>
struct ssm_cuda_compiled : std::false_type {};

/// Runs @p plan on the context's CUDA device (kernels/ssm_builtin.cu).
template <class Model, class T>
void ssm_run_cuda(const context& ctx, const ssm_plan<T>& plan, const Model& model,
                  grouped_moments& totals);

}  // namespace scorepath::detail
