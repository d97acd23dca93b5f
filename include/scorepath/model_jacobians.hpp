/**
 * @file model_jacobians.hpp
 * @brief The Jacobian J_S(x) of any score model the library evaluates, at a batch of points:
 *        compiled models by dual numbers (jacobian.hpp), the run-time network by its basis
 *        tangents through the tape (training/network_ssm.hpp), the run-time diagonal mixture by
 *        J e_t in closed form (mixture_ssm.hpp).
 */
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/jacobian.hpp"
#include "scorepath/mixture_ssm.hpp"
#include "scorepath/model_dim.hpp"
#include "scorepath/training/mlp_network.hpp"
#include "scorepath/training/network_ssm.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

namespace detail {

/// Points per block of the Jacobian loops.
inline constexpr std::uint64_t jacobian_block = 16;

/// Blocks of jacobian_block points among @p n.
inline std::uint64_t jacobian_blocks(std::uint64_t n) {
  return (n + jacobian_block - 1) / jacobian_block;
}

}  // namespace detail

/**
 * @brief Calls f(s, J) for every point s < @p n of @p x (row-major n × D, host), J the
 *        row-major D × D Jacobian of @p model at x_s in double (J[i·D + t] = ∂S_i/∂x_t), on the
 *        threads of @p ctx; f is called from several threads at once, for different s.
 */
template <class Model, class T, class F>
void for_each_jacobian(const context& ctx, const Model& model, const T* x, std::uint64_t n,
                       F&& f) {
  constexpr int D = Model::dim;
  detail::cpu_for_each<std::vector<double>>(
      ctx, detail::jacobian_blocks(n), detail::cpu_block_schedule::even,
      [](std::vector<double>& jac) { jac.resize(static_cast<std::size_t>(D) * D); },
      [&](std::uint64_t b, std::vector<double>& jac) {
        const std::uint64_t end = std::min(n, (b + 1) * detail::jacobian_block);
        for (std::uint64_t s = b * detail::jacobian_block; s < end; ++s) {
          vec<T, D> point;
          for (int i = 0; i < D; ++i) point[i] = x[s * D + i];
          const auto j = exact_jacobian(model, point);
          for (int i = 0; i < D; ++i) {
            for (int t = 0; t < D; ++t) jac[static_cast<std::size_t>(i) * D + t] = j(i, t);
          }
          f(s, static_cast<const double*>(jac.data()));
        }
      });
}

/// for_each_jacobian of a run-time (unconditioned) network: the basis vectors in chunks through
/// its tape.
template <class T, class F>
void for_each_jacobian(const context& ctx, const mlp_network<T>& net, const T* x,
                       std::uint64_t n, F&& f) {
  const int d = net.dim();
  const int chunk = std::min(d, detail::network_ism_chunk);
  const std::size_t stride = 1 + static_cast<std::size_t>(chunk);
  const auto square = static_cast<std::size_t>(d) * d;
  struct scratch {
    detail::mlp_tape<T> tape;
    std::vector<double> jac;
  };
  (void)matrix_kernel();  // chosen (and loaded) before the workers start
  detail::cpu_for_each<scratch>(
      ctx, detail::jacobian_blocks(n), detail::cpu_block_schedule::even,
      [&](scratch& w) { w.jac.resize(detail::jacobian_block * square); },
      [&](std::uint64_t b, scratch& w) {
        const std::uint64_t first = b * detail::jacobian_block;
        const int count = static_cast<int>(std::min(detail::jacobian_block, n - first));
        for (int c0 = 0; c0 < d; c0 += chunk) {
          detail::network_basis_forward(net, x, first, count, c0, chunk, w.tape);
          for (int s = 0; s < count; ++s) {
            double* jac = w.jac.data() + static_cast<std::size_t>(s) * square;
            for (int t = 0; t < chunk && c0 + t < d; ++t) {
              const T* column = w.tape.output.data() + (s * stride + 1 + t) * d;
              for (int i = 0; i < d; ++i) {
                jac[static_cast<std::size_t>(i) * d + c0 + t] = column[i];
              }
            }
          }
        }
        for (int s = 0; s < count; ++s) {
          const double* jac = w.jac.data() + static_cast<std::size_t>(s) * square;
          f(first + s, jac);
        }
      });
}

/// for_each_jacobian of a run-time diagonal mixture: J e_t in closed form (mixture_jvp).
template <class T, class F>
void for_each_jacobian(const context& ctx, const diagonal_mixture& mix, const T* x,
                       std::uint64_t n, F&& f) {
  check_diagonal_mixture(mix);
  const int d = mix.dim;
  const diagonal_mixture_factors factors = factor_diagonal_mixture(mix, 1.0, 0.0);
  const auto components = static_cast<std::size_t>(mix.weights.size());
  struct scratch {
    detail::mixture_ssm_scratch<T> mixture;
    std::vector<double> basis, jac;
  };
  detail::cpu_for_each<scratch>(
      ctx, detail::jacobian_blocks(n), detail::cpu_block_schedule::even,
      [&](scratch& w) {
        w.mixture.pulls.resize(components * d);
        w.mixture.responsibility.resize(components);
        w.mixture.score.resize(d);
        w.mixture.jv.resize(d);
        w.basis.assign(d, 0.0);
        w.jac.resize(static_cast<std::size_t>(d) * d);
      },
      [&](std::uint64_t b, scratch& w) {
        const std::uint64_t end = std::min(n, (b + 1) * detail::jacobian_block);
        for (std::uint64_t s = b * detail::jacobian_block; s < end; ++s) {
          detail::mixture_score_at(factors, x + s * d, w.mixture);
          for (int t = 0; t < d; ++t) {
            w.basis[t] = 1.0;
            detail::mixture_jvp(factors, w.basis.data(), w.mixture);
            w.basis[t] = 0.0;
            for (int i = 0; i < d; ++i) {
              w.jac[static_cast<std::size_t>(i) * d + t] = w.mixture.jv[i];
            }
          }
          f(s, static_cast<const double*>(w.jac.data()));
        }
      });
}

}  // namespace scorepath
