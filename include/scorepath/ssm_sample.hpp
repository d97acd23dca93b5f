/**
 * @file ssm_sample.hpp
 * @brief Sliced score matching for one sample (GPU thread) or a pack of samples (CPU), written
 *        once: probes, forward-mode Jacobian-vector products, and the per-sample loss terms.
 */
#pragma once

#include <cstdint>

#include "scorepath/config.hpp"
#include "scorepath/dim_loop.hpp"
#include "scorepath/dual.hpp"
#include "scorepath/probes.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

/// Per-sample results of sliced score matching.
template <class R>
struct ssm_sample_terms {
  R ssm;     ///< mean over probes of (vᵀS)² + 2 vᵀJv
  R ssm_vr;  ///< ‖S‖² + 2 · mean over probes of vᵀJv
};

/**
 * @brief Evaluates @p model at @p x with the sample's M probes as tangents, K at a time.
 *
 * Each chunk of K probes costs one dual evaluation: the primal value S(x) and the K products
 * J_S(x)v. For every probe j the sink receives vᵀS, vᵀJv and v.
 *
 * @tparam K tangents per evaluation
 * @param sink `on_probe(j, proj, div, v)` callable
 */
template <int K, class Model, class R, class Probes, class Sink>
SCOREPATH_HDI ssm_sample_terms<R> ssm_one_sample(const Model& model, const vec<R, Model::dim>& x,
                                                 std::uint32_t probes, Probes& gen, Sink& sink) {
  constexpr int D = Model::dim;
  using D_t = dual<R, K>;
  R quad_sum = R(0);
  R div_sum = R(0);
  R norm2 = R(0);
  for (std::uint32_t j0 = 0; j0 < probes; j0 += K) {
    vec<R, D> v[K];
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) {
      if (j0 + k < probes) {
        gen.next(v[k]);
      } else {
        for_dims<D>([&](int i) { v[k][i] = R(0); });
      }
    }
    vec<D_t, D> xd;
    for_dims<D>([&](int i) {
      xd[i].val = x[i];
      SCOREPATH_UNROLL
      for (int k = 0; k < K; ++k) xd[i].tan[k] = v[k][i];
    });
    const vec<D_t, D> s = model(xd);
    if (j0 == 0) {
      for_dims<D>([&](int i) { norm2 = norm2 + s[i].val * s[i].val; });
    }
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) {
      if (j0 + k >= probes) break;
      R proj = v[k][0] * s[0].val;
      R div = v[k][0] * s[0].tan[k];
      for_dims<D, 1>([&](int i) {
        proj = proj + v[k][i] * s[i].val;
        div = div + v[k][i] * s[i].tan[k];
      });
      sink.on_probe(j0 + k, proj, div, v[k]);
      quad_sum = quad_sum + proj * proj + R(2) * div;
      div_sum = div_sum + div;
    }
  }
  const R inv_m = R(1) / R(static_cast<lane_scalar_t<R>>(probes));
  return {quad_sum * inv_m, norm2 + R(2) * div_sum * inv_m};
}

/**
 * @brief Exact implicit score matching term ‖S(x)‖² + 2 tr J_S(x) for one sample (or pack),
 *        with tr J from the D basis tangents, K per evaluation.
 */
template <int K, class Model, class R>
SCOREPATH_HDI R ism_one_sample(const Model& model, const vec<R, Model::dim>& x) {
  constexpr int D = Model::dim;
  using D_t = dual<R, K>;
  R trace = R(0);
  R norm2 = R(0);
  for (int i0 = 0; i0 < D; i0 += K) {
    vec<D_t, D> xd;
    for_dims<D>([&](int i) {
      xd[i].val = x[i];
      SCOREPATH_UNROLL
      for (int k = 0; k < K; ++k) xd[i].tan[k] = R(i == i0 + k ? 1 : 0);
    });
    const vec<D_t, D> s = model(xd);
    if (i0 == 0) {
      for_dims<D>([&](int i) { norm2 = norm2 + s[i].val * s[i].val; });
    }
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) {
      if (i0 + k < D) trace = trace + s[i0 + k].tan[k];
    }
  }
  return norm2 + R(2) * trace;
}

}  // namespace scorepath
