/**
 * @file cuda_kernels.hpp
 * @brief CUDA kernels for your own SDEs and score models, and whether a type has them.
 *
 * The library compiles CUDA kernels for its built-in SDEs and score models. For a type of your
 * own, simulate_em and sliced_score_matching run on the CPU backend from the header templates as
 * they are; to run them on a GPU as well, compile the kernels in one `.cu` file of your project and
 * declare them where the engines are called:
 *
 * @code
 * // my_models.hpp, included by every file that calls the engines with these types
 * #include <scorepath/cuda_kernels.hpp>
 * struct my_sde { ... };      // sde.hpp says what an SDE provides
 * struct my_score { ... };    // score_eval.hpp / ssm.hpp say what a score model provides
 * SCOREPATH_DECLARE_EM_CUDA_KERNELS(my_sde, float, scorepath::no_reducer)
 * SCOREPATH_DECLARE_SSM_CUDA_KERNELS(my_score)
 *
 * // my_kernels.cu, compiled by nvcc (enable CUDA in your CMake project)
 * #include <scorepath/em_cuda.cuh>
 * #include <scorepath/ssm_cuda.cuh>
 * #include "my_models.hpp"
 * SCOREPATH_DEFINE_EM_CUDA_KERNELS(my_sde, float, scorepath::no_reducer)
 * SCOREPATH_DEFINE_SSM_CUDA_KERNELS(my_score)
 * @endcode
 *
 * Rules: use the macros at global namespace scope; give a type whose name holds a comma
 * (`my_sde<float, 2>`) an alias first; declare before the first call of an engine with that type in
 * every translation unit (the declaration is what makes the engine dispatch to the kernel, so a
 * file that calls without it would compile a different, CPU-only engine). A score model that owns
 * memory (not trivially copyable) also specialises detail::ssm_cuda_model with its device form, as
 * scores/mlp_cuda.cuh does for mlp_score. In a build of the library without the CUDA backend
 * (SCOREPATH_HAVE_CUDA = 0) the macros expand to nothing and the engines run on the CPU.
 * examples/extension is a complete project that uses this.
 */
#pragma once

#include <type_traits>

#include "scorepath/config.hpp"
#include "scorepath/detail/em_cuda_launch.hpp"
#include "scorepath/detail/ssm_plan.hpp"
#include "scorepath/em_path.hpp"

namespace scorepath {

/// True when simulate_em has CUDA kernels for (Sde, T, Reducer) in this program: the library's
/// built-ins in a CUDA build, and types declared with SCOREPATH_DECLARE_EM_CUDA_KERNELS.
template <class Sde, class T = typename Sde::scalar_type, class Reducer = no_reducer>
inline constexpr bool has_em_cuda_kernel = detail::em_cuda_compiled<Sde, T, Reducer>::value;

/// True when sliced_score_matching has CUDA kernels for @p Model in this program: the library's
/// built-ins in a CUDA build, and types declared with SCOREPATH_DECLARE_SSM_CUDA_KERNELS.
template <class Model>
inline constexpr bool has_ssm_cuda_kernel = detail::ssm_cuda_compiled<Model>::value;

}  // namespace scorepath

/// Signature of the CUDA path engine for (SDE, T, REDUCER), after `template` or `extern template`.
#define SCOREPATH_EM_CUDA_SIGNATURE_(SDE, T, REDUCER)                                            \
  void ::scorepath::detail::em_run_cuda<SDE, T, REDUCER>(                                        \
      const ::scorepath::context&, const ::scorepath::detail::em_plan<T>&, const SDE&,           \
      const ::scorepath::vec<T, SDE::dim>&, const REDUCER&, ::scorepath::grouped_moments&)
/// Signature of the CUDA sliced score matching engine for MODEL.
#define SCOREPATH_SSM_CUDA_SIGNATURE_(MODEL)                                                     \
  void ::scorepath::detail::ssm_run_cuda<MODEL, MODEL::scalar_type>(                             \
      const ::scorepath::context&, const ::scorepath::detail::ssm_plan<MODEL::scalar_type>&,     \
      const MODEL&, ::scorepath::grouped_moments&)

#if SCOREPATH_HAVE_CUDA
/// Declares that CUDA kernels of simulate_em for (SDE, T, REDUCER) are compiled in some `.cu`
/// file of the program (by SCOREPATH_DEFINE_EM_CUDA_KERNELS), so the engine dispatches to them.
#define SCOREPATH_DECLARE_EM_CUDA_KERNELS(SDE, T, REDUCER)                                        \
  template <>                                                                                    \
  struct scorepath::detail::em_cuda_compiled<SDE, T, REDUCER> : std::true_type {};               \
  extern template SCOREPATH_EM_CUDA_SIGNATURE_(SDE, T, REDUCER);
/// Compiles the CUDA kernels of simulate_em for (SDE, T, REDUCER); use once, in a `.cu` file that
/// includes scorepath/em_cuda.cuh and the declaration.
#define SCOREPATH_DEFINE_EM_CUDA_KERNELS(SDE, T, REDUCER) \
  template SCOREPATH_EM_CUDA_SIGNATURE_(SDE, T, REDUCER);
/// Declares that CUDA kernels of sliced_score_matching for MODEL (precision MODEL::scalar_type)
/// are compiled in some `.cu` file of the program, so the engine dispatches to them.
#define SCOREPATH_DECLARE_SSM_CUDA_KERNELS(MODEL)                                                \
  template <>                                                                                    \
  struct scorepath::detail::ssm_cuda_compiled<MODEL> : std::true_type {};                        \
  extern template SCOREPATH_SSM_CUDA_SIGNATURE_(MODEL);
/// Compiles the CUDA kernels of sliced_score_matching for MODEL; use once, in a `.cu` file that
/// includes scorepath/ssm_cuda.cuh and the declaration.
#define SCOREPATH_DEFINE_SSM_CUDA_KERNELS(MODEL) template SCOREPATH_SSM_CUDA_SIGNATURE_(MODEL);
#else
#define SCOREPATH_DECLARE_EM_CUDA_KERNELS(SDE, T, REDUCER)
#define SCOREPATH_DEFINE_EM_CUDA_KERNELS(SDE, T, REDUCER)
#define SCOREPATH_DECLARE_SSM_CUDA_KERNELS(MODEL)
#define SCOREPATH_DEFINE_SSM_CUDA_KERNELS(MODEL)
#endif
