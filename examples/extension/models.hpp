// Two types of this project's own, run by scorepath's engines on the CPU and, where the library
// has its CUDA backend, on a GPU through the kernels that kernels.cu compiles.
#pragma once

#include <scorepath/cuda_kernels.hpp>
#include <scorepath/math.hpp>
#include <scorepath/sde.hpp>
#include <scorepath/vec.hpp>

namespace example {

/// dx = −θ x dt + σ (1 + t) dW: mean reversion with noise that grows in time (diagonal noise, two
/// independent components). The Euler–Maruyama chain's mean and variance follow exact recursions
/// (main.cpp), so the ensemble can be checked without discretisation bias.
struct growing_noise_ou {
  static constexpr int dim = 2;
  static constexpr scorepath::noise_kind noise = scorepath::noise_kind::diagonal;
  static constexpr int noise_dim = 2;
  static constexpr bool vectorizable = true;
  using scalar_type = float;

  float theta = 1.5f;
  float sigma = 0.4f;

  template <class R, class S>
  SCOREPATH_HDI scorepath::vec<R, 2> drift(const scorepath::vec<R, 2>& x, S) const {
    scorepath::vec<R, 2> f;
    for (int i = 0; i < 2; ++i) f[i] = x[i] * R(-theta);
    return f;
  }
  template <class R, class S>
  SCOREPATH_HDI scorepath::vec<R, 2> diffusion(const scorepath::vec<R, 2>&, S t) const {
    scorepath::vec<R, 2> g;
    for (int i = 0; i < 2; ++i) g[i] = R(sigma * (1.0f + static_cast<float>(t)));
    return g;
  }
};

/// Score of a product of two logistic laws with scale s: S_i(x) = −tanh(x_i / (2s)) / s.
/// Written with scorepath::math so that the same body runs on floats, SIMD packs, dual numbers
/// (for the Jacobian-vector products of sliced score matching) and in a GPU thread.
struct logistic_score {
  static constexpr int dim = 2;
  static constexpr bool vectorizable = true;
  using scalar_type = float;

  float scale = 0.8f;

  template <class R>
  SCOREPATH_HDI scorepath::vec<R, 2> operator()(const scorepath::vec<R, 2>& x) const {
    scorepath::vec<R, 2> s;
    for (int i = 0; i < 2; ++i) s[i] = scorepath::math::tanh(x[i] * R(0.5f / scale)) * R(-1.0f / scale);
    return s;
  }
};

}  // namespace example

// Every file that runs these types through the engines sees these declarations, so the engines
// dispatch to the kernels compiled in kernels.cu when the backend is CUDA.
SCOREPATH_DECLARE_EM_CUDA_KERNELS(example::growing_noise_ou, float, scorepath::no_reducer)
SCOREPATH_DECLARE_SSM_CUDA_KERNELS(example::logistic_score)
