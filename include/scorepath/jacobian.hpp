/**
 * @file jacobian.hpp
 * @brief The full Jacobian of a score model at one point, by forward-mode dual numbers.
 */
#pragma once

#include "scorepath/dual.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

/**
 * @brief The full Jacobian J(i, j) = ∂S_i/∂x_j of a score model at one point (host side).
 *
 * Forward mode with the D basis vectors as tangents, up to 8 per model evaluation, so it costs
 * ⌈D/8⌉ evaluations and is exact up to the rounding of the model itself.
 */
template <class Model, class T>
mat<T, Model::dim, Model::dim> exact_jacobian(const Model& model, const vec<T, Model::dim>& x) {
  constexpr int D = Model::dim;
  constexpr int K = D < 8 ? D : 8;
  using dual_t = dual<T, K>;
  mat<T, D, D> jac;
  for (int j0 = 0; j0 < D; j0 += K) {
    vec<dual_t, D> xd;
    for (int i = 0; i < D; ++i) {
      xd[i].val = x[i];
      for (int k = 0; k < K; ++k) xd[i].tan[k] = T(i == j0 + k ? 1 : 0);
    }
    const vec<dual_t, D> s = model(xd);
    for (int i = 0; i < D; ++i) {
      for (int k = 0; k < K && j0 + k < D; ++k) jac(i, j0 + k) = s[i].tan[k];
    }
  }
  return jac;
}

}  // namespace scorepath
