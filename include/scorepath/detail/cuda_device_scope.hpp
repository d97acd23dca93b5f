/**
 * @file detail/cuda_device_scope.hpp
 * @brief Makes a CUDA device current for a scope and gives the caller's current device back at its
 *        end, so that a call on one context leaves the thread's device as it found it (several
 *        GPUs, or an application's own CUDA code). A no-op in a build without CUDA.
 */
#pragma once

namespace scorepath::detail {

class cuda_device_scope {
 public:
  /// Makes @p device current. @throw cuda_error when it cannot be made current
  explicit cuda_device_scope(int device);
  /// Makes the device that was current before current again (a failure is reported on stderr).
  ~cuda_device_scope();
  cuda_device_scope(const cuda_device_scope&) = delete;
  cuda_device_scope& operator=(const cuda_device_scope&) = delete;

 private:
  int previous_ = 0;
  bool changed_ = false;
};

}  // namespace scorepath::detail
