/**
 * @file detail/em_cuda_launch.hpp
 * @brief Declaration of the CUDA backend of simulate_em and which SDEs have compiled kernels.
 *
 * The kernels are compiled by nvcc in the library (kernels/em_builtin.cu) for the built-in SDEs.
 * For another SDE, explicitly instantiate em_run_cuda in a .cu file that includes
 * scorepath/em_cuda.cuh, and specialise em_cuda_compiled to true_type where simulate_em is called.
 */
#pragma once

#include <type_traits>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/em_plan.hpp"

namespace scorepath::detail {

/// Runs @p plan on the context's CUDA device and stream; statistics go to @p totals.
template <class Sde, class T, class Reducer>
void em_run_cuda(const context& ctx, const em_plan<T>& plan, const Sde& sde,
                 const vec<T, Sde::dim>& x0, const Reducer& reducer,
                 grouped_moments& totals);

/// True when a CUDA kernel for (Sde, T, Reducer) is linked in; specialised by the library.
template <class Sde, class T, class Reducer>
struct em_cuda_compiled : std::false_type {};

}  // namespace scorepath::detail
