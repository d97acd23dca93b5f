/**
 * @file validate.hpp
 * @brief Check-only entries of the engines: everything simulate_em, simulate_em_to_host,
 *        sliced_score_matching and probe_variance_study check before they start, without running,
 *        allocating outputs, writing anything or advancing a stream (validate_probe_variance,
 *        next to its engine in probe_variance.hpp, is included here too); and whether a type has
 *        a compiled CUDA kernel.
 *
 * Each validate_* makes the engine's own checks (the same plan-making functions, in the same
 * order) and throws exactly what the engine would throw for the same arguments, so a program can
 * refuse a bad request before it reads inputs or opens outputs, and write each check once.
 *
 * @code
 * scorepath::validate_em(ctx, sde, x0, opt);            // throws as simulate_em would
 * if (ctx.kind() == scorepath::backend::cuda && !scorepath::has_ssm_cuda_kernel<Model>) ...
 * @endcode
 */
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/cuda_kernels.hpp"  // has_em_cuda_kernel, has_ssm_cuda_kernel
#include "scorepath/ensemble.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/probe_variance.hpp"
#include "scorepath/ssm.hpp"

namespace scorepath {

/// simulate_em refuses save points × D at or above this (em_options::save_steps).
inline constexpr std::uint64_t max_em_save_values = std::uint64_t{1} << 24;

/// simulate_em refuses steps × 2^refinement × noise dimension at or above this many normal draws
/// per path (Philox's block counter).
inline constexpr double max_em_draws_per_path = 0x1p62;

/**
 * @brief Every check simulate_em makes before it runs, in its order: the plan (options, x0,
 *        outputs, memory), the SDE's time domain, and a CUDA kernel when @p ctx is CUDA.
 * @throw what simulate_em throws for the same arguments before it starts; writes nothing
 */
template <class Sde, class Reducer = no_reducer, class T = typename Sde::scalar_type>
void validate_em(const context& ctx, const Sde& sde, const std::vector<T>& x0,
                 const em_options& opt, const em_outputs<T>& out = {},
                 const Reducer& /*reducer*/ = {}) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  constexpr bool has_reducer = !std::is_same_v<Reducer, no_reducer>;
  (void)detail::make_em_plan<T, Sde::dim>(ctx, opt, x0, out, has_reducer, noise_dimension<Sde>,
                                          lane_traits<detail::cpu_lane_t<Sde, T, Reducer>>::lanes);
  check_sde_times(sde, opt.t0, opt.t1);
  if (ctx.kind() == backend::cuda && !has_em_cuda_kernel<Sde, T, Reducer>) {
    throw unavailable_error(
        "no CUDA kernel is compiled for this SDE; include scorepath/em_cuda.cuh in a .cu file "
        "or use the CPU backend",
        __FILE__, __LINE__);
  }
}

/**
 * @brief Every check simulate_em_to_host makes before it runs: the size of the host vectors it
 *        would allocate for the outputs asked for, then validate_em with outputs of those sizes.
 *        Allocates nothing.
 * @throw what simulate_em_to_host throws for the same arguments before it starts
 */
template <class Sde, class Reducer = no_reducer, class T = typename Sde::scalar_type>
void validate_em_to_host(const context& ctx, const Sde& sde, const std::vector<T>& x0,
                         const em_options& opt, bool keep_final, bool keep_saved,
                         const Reducer& reducer = {}) {
  constexpr std::uint64_t D = Sde::dim;
  const std::uint64_t saves =
      opt.save_steps.empty() && opt.statistics ? 1 : opt.save_steps.size();
  // Stands for the vectors simulate_em_to_host allocates: the plan checks their sizes only and
  // writes nothing, so no element is ever read or written through it.
  T placeholder{};
  auto planned = [&](std::uint64_t per_path, const char* name) {
    const std::size_t n = checked_size_product(per_path, opt.paths, name);
    check_host_request(checked_size_product(n, sizeof(T), name), name);
    return host_output(&placeholder, n);
  };
  em_outputs<T> out;
  if (keep_final && opt.paths >= 1) out.final_states = planned(D, "final_states");
  if (keep_saved && saves > 0 && opt.paths >= 1) {
    out.saved_states = planned(saves * D, "saved_states");
  }
  validate_em(ctx, sde, x0, opt, out, reducer);
}

/**
 * @brief Every check sliced_score_matching makes before it runs, in its order: the plan
 *        (samples, options, outputs), a CUDA kernel when @p ctx is CUDA, and the limits of the
 *        device for a model with a device view.
 * @throw what sliced_score_matching throws for the same arguments before it starts
 */
template <class Model, class T = typename Model::scalar_type>
void validate_ssm(const context& ctx, const Model& model, input_span<T> samples,
                  const ssm_options& opt, const ssm_outputs<T>& out = {}) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  (void)detail::make_ssm_plan<T, Model::dim>(ctx, samples, opt, out);
  if (ctx.kind() == backend::cuda && !has_ssm_cuda_kernel<Model>) {
    throw unavailable_error("no CUDA kernel is compiled for this score model; use the CPU backend",
                            __FILE__, __LINE__);
  }
  if constexpr (detail::has_device_view<Model>::value) {
    if (ctx.kind() == backend::cuda) (void)model.view();
  }
}

/// validate_ssm for host samples in a vector.
template <class Model, class T = typename Model::scalar_type>
void validate_ssm(const context& ctx, const Model& model, const std::vector<T>& samples,
                  const ssm_options& opt, const ssm_outputs<T>& out = {}) {
  validate_ssm(ctx, model, host_input(samples.data(), samples.size()), opt, out);
}

}  // namespace scorepath
