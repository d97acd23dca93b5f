/**
 * @file training/gradient_columns.hpp
 * @brief One sample's part of the gradient engine, on the host, for either backend: its input
 *        columns (the sample, perturbed for dsm or a conditioned network, and its tangents), and,
 *        from the network's output columns, its loss and the loss's adjoints of those outputs.
 *
 * A sample with K tangents owns 1 + K consecutive columns of a tile (training/mlp_tape.hpp). The
 * CPU engine calls these per sample inside its tiles; the CUDA engine calls them on the host
 * around the device's matrix products, so the losses are written once.
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "scorepath/noise_conditioning.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/training/loss_options.hpp"
#include "scorepath/training/mlp_network.hpp"
#include "scorepath/training/runtime_probes.hpp"

namespace scorepath::detail {

/**
 * @brief Draws the perturbation of a conditioned network's sample from Philox subsequence
 *        @p subsequence: the first normal z gives u = Φ(z) and from it the time t = t_min +
 *        (1 − t_min)·u (vp, ve) or the level ⌊u·L⌋ (levels); the next D normals are ε. Writes
 *        x_t = α·x + σ·ε and ¼ ln σ to @p column, ε to @p eps, and returns σ.
 */
template <class T>
T draw_perturbation(const noise_conditioning& cond, int dim, const T* x, std::uint64_t seed,
                    std::uint64_t subsequence, T* column, T* eps) {
  std::uint32_t lo = 0, hi = 0;
  subsequence_lanes<T>(subsequence, 0, lo, hi);
  philox_normals<T> normals(seed, lo, hi);
  const double u = 0.5 * std::erfc(-static_cast<double>(normals.next()) / std::sqrt(2.0));
  double t = 0;
  if (cond.kind == conditioning_kind::levels) {
    const auto levels = static_cast<double>(cond.levels.size());
    t = std::min(std::floor(u * levels), levels - 1);
  } else {
    t = cond.t_min + (1.0 - cond.t_min) * u;
  }
  const T alpha = static_cast<T>(conditioning_alpha(cond, t));
  const double sigma = conditioning_sigma(cond, t);
  const T s = static_cast<T>(sigma);
  for (int i = 0; i < dim; ++i) {
    eps[i] = normals.next();
    column[i] = alpha * x[i] + s * eps[i];
  }
  column[dim] = static_cast<T>(noise_feature(sigma));
  return s;
}

/// Where one call's random draws come from: sample id's probes or dsm noise from subsequence
/// base + id, a conditioned network's perturbation from noise_base + id.
struct gradient_streams_at {
  std::uint64_t seed = 0;        ///< Philox key
  std::uint64_t base = 0;        ///< first subsequence of the probes (or dsm noise)
  std::uint64_t noise_base = 0;  ///< first subsequence of the perturbations
};

/// A thread's buffers for drawing one sample's tangents.
template <class T>
struct probe_buffers {
  T* basis = nullptr;   ///< D·D, for orthogonal probes
  T* probes = nullptr;  ///< M·D, a conditioned network's probes before they enter the columns
};

/**
 * @brief Fills the 1 + K input columns of sample @p id (values @p x) at @p col (width w₀ each):
 *        the sample column (perturbed for dsm and for a conditioned network, with ε written to
 *        @p eps), then its probes or basis vectors, zero in the feature rows. Returns the sample's
 *        noise level σ (a conditioned network's draw, or opt.noise_scale).
 */
template <class T>
T fill_sample_columns(const mlp_network<T>& net, const loss_gradient_options& opt, const T* x,
                      std::uint64_t id, const gradient_streams_at& at, probe_buffers<T> scratch,
                      T* col, T* eps) {
  const int d = net.dim();
  const int w_in = net.width(0);
  const bool conditioned = net.conditioning().conditioned();
  const int k = gradient_tangents(opt, d);
  T sigma = static_cast<T>(opt.noise_scale);
  if (conditioned) {
    sigma = draw_perturbation(net.conditioning(), d, x, at.seed, at.noise_base + id, col, eps);
  } else if (opt.loss == score_loss::dsm) {
    std::uint32_t lo = 0, hi = 0;
    subsequence_lanes<T>(at.base, id, lo, hi);
    philox_normals<T> normals(at.seed, lo, hi);
    for (int i = 0; i < d; ++i) {
      eps[i] = normals.next();
      col[i] = x[i] + sigma * eps[i];
    }
  } else {
    for (int i = 0; i < d; ++i) col[i] = x[i];
  }
  if (k == 0) return sigma;
  // Tangent columns: the probe or basis vector in the D sample rows, zero in the features.
  if (opt.loss == score_loss::ism) {
    for (int t = 0; t < d; ++t) {
      T* e = col + static_cast<std::size_t>(1 + t) * w_in;
      for (int i = 0; i < w_in; ++i) e[i] = T(i == t ? 1 : 0);
    }
  } else if (!conditioned) {
    draw_runtime_probes(opt.law, opt.probes, d, at.seed, at.base + id, col + d, scratch.basis);
  } else {
    draw_runtime_probes(opt.law, opt.probes, d, at.seed, at.base + id, scratch.probes,
                        scratch.basis);
    for (int t = 0; t < k; ++t) {
      T* v = col + static_cast<std::size_t>(1 + t) * w_in;
      const T* drawn = scratch.probes + static_cast<std::size_t>(t) * d;
      for (int i = 0; i < d; ++i) v[i] = drawn[i];
      for (int i = d; i < w_in; ++i) v[i] = T(0);
    }
  }
  return sigma;
}

/**
 * @brief One sample's loss from its network outputs, and the loss's adjoints of those outputs.
 * @param in the sample's 1 + K input columns (width w₀; the tangents are read)
 * @param out its 1 + K output columns (width D): S and J_S v; a conditioned network's are divided
 *        by σ here, in place
 * @param adj receives the adjoints of the outputs, laid out as @p out
 * @param sigma the sample's noise level (fill_sample_columns)
 * @param eps its ε (dsm, conditioned networks)
 * @return the sample's loss, scaled and weighted
 */
template <class T>
double sample_loss_adjoints(const mlp_network<T>& net, const loss_gradient_options& opt,
                            const T* in, T* out, T* adj, T sigma, const T* eps) {
  const int d = net.dim();
  const int w_in = net.width(0);
  const bool conditioned = net.conditioning().conditioned();
  const int k = gradient_tangents(opt, d);
  const auto values = static_cast<std::size_t>(1 + k) * d;
  const T scale = opt.half_scaling ? T(0.5) : T(1);
  // A conditioned network's score is its output over σ, and its loss is weighted by σ²
  // (dsm's ‖σS + ε‖² carries that weight already).
  const T out_scale = conditioned ? T(1) / sigma : T(1);
  const T weight = conditioned && opt.loss != score_loss::dsm ? sigma * sigma : T(1);
  if (conditioned) {
    for (std::size_t e = 0; e < values; ++e) out[e] *= out_scale;
  }
  const T* score = out;
  T* g = adj;
  double loss = 0;
  if (opt.loss == score_loss::dsm) {
    for (int i = 0; i < d; ++i) {
      const T r = sigma * score[i] + eps[i];
      loss += static_cast<double>(r) * r;
      g[i] = scale * T(2) * sigma * r;
    }
  } else {
    T norm2 = T(0);
    for (int i = 0; i < d; ++i) norm2 += score[i] * score[i];
    const bool sliced = opt.loss == score_loss::ssm;
    const T m = static_cast<T>(opt.probes);
    for (int i = 0; i < d; ++i) g[i] = sliced ? T(0) : scale * T(2) * score[i];
    T quad = T(0), div = T(0);
    for (int t = 1; t <= k; ++t) {
      const T* v = in + static_cast<std::size_t>(t) * w_in;
      const T* jv = out + static_cast<std::size_t>(t) * d;
      T* gt = adj + static_cast<std::size_t>(t) * d;
      T p = T(0), q = T(0);
      for (int i = 0; i < d; ++i) {
        p += v[i] * score[i];
        q += v[i] * jv[i];
      }
      if (opt.loss == score_loss::ism) {
        div += jv[t - 1];
        for (int i = 0; i < d; ++i) gt[i] = T(i == t - 1 ? 2 : 0) * scale;
      } else {
        quad += p * p;
        div += q;
        for (int i = 0; i < d; ++i) gt[i] = scale * T(2) / m * v[i];
        if (sliced) {
          for (int i = 0; i < d; ++i) g[i] += scale * T(2) / m * p * v[i];
        }
      }
    }
    if (opt.loss == score_loss::ssm) {
      loss = (static_cast<double>(quad) + 2.0 * static_cast<double>(div)) / opt.probes;
    } else if (opt.loss == score_loss::ssm_vr) {
      loss = static_cast<double>(norm2) + 2.0 * static_cast<double>(div) / opt.probes;
    } else {
      loss = static_cast<double>(norm2) + 2.0 * static_cast<double>(div);
    }
  }
  // The adjoints of the network's outputs: those of the score, times dS/dout and the weight.
  if (conditioned) {
    const T chain = weight * out_scale;
    for (std::size_t e = 0; e < values; ++e) adj[e] *= chain;
  }
  return loss * static_cast<double>(scale) * static_cast<double>(weight);
}

}  // namespace scorepath::detail
