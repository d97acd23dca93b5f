/**
 * @file training/mlp_device_tape.hpp
 * @brief The tape of training/mlp_tape.hpp on a CUDA device: a tile's forward pass and reverse
 *        sweep as cuBLAS matrix products and elementwise kernels, the parameter gradient summed on
 *        the device tile after tile.
 *
 * The columns are laid out as on the CPU (training/mlp_tape.hpp): sample s with K tangents owns
 * columns s·(1 + K) … s·(1 + K) + K. The host fills the input columns and turns the output columns
 * into adjoints (training/gradient_columns.hpp); the device runs the layers. σ, σ' and σ'' come
 * from the activation rules the CPU uses (training/activation_rules.hpp). The products of one
 * tape run in a fixed order on the context's stream, so the gradient does not change from run to
 * run on one device; it equals the CPU's to rounding, not bit for bit.
 *
 * Defined in CUDA builds of the library only (SCOREPATH_HAVE_CUDA = 1).
 */
#pragma once

#include <memory>

#include "scorepath/context.hpp"
#include "scorepath/training/mlp_network.hpp"

namespace scorepath::detail {

/// A network's parameters, a tile's recorded forward pass and the summed gradient, on a device.
template <class T>
class mlp_device_tape {
 public:
  /**
   * @brief Copies @p net's parameters to the device of @p ctx and makes room there for tiles of up
   *        to @p samples samples with @p tangents tangents each; the gradient starts at zero.
   * @throw cuda_error (a cuBLAS failure among them), out_of_memory_error; unavailable_error when
   *        cuBLAS (libcublas.so of the toolkit's major version, loaded at the first tape) cannot
   *        be loaded
   */
  mlp_device_tape(const context& ctx, const mlp_network<T>& net, int samples, int tangents);
  ~mlp_device_tape();
  mlp_device_tape(const mlp_device_tape&) = delete;
  mlp_device_tape& operator=(const mlp_device_tape&) = delete;

  /**
   * @brief The forward pass of @p n ≤ samples samples: @p inputs holds their n·(1 + K) input
   *        columns (host or device memory, w₀ values each); their output columns (n·(1 + K)·D
   *        values) are written to @p outputs (host or device). The pass is recorded for
   *        backward().
   */
  void forward(const T* inputs, int n, T* outputs);

  /**
   * @brief The reverse sweep of the last forward pass for the adjoints @p adjoints of its outputs
   *        (host, laid out as the outputs): adds the tile's gradient to the device's sum.
   */
  void backward(const T* adjoints);

  /// Copies the summed gradient (the flat parameter layout) to host @p gradient.
  void gradient(T* gradient) const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace scorepath::detail
