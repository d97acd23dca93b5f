// The parts of the runtime that talk to the CUDA driver; without CUDA they report "no device".
#include <cstdio>
#include <string>

#include "scorepath/config.hpp"
#include "scorepath/context.hpp"
#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/cuda_arch.hpp"
#include "scorepath/detail/cuda_device_scope.hpp"
#include "scorepath/memory.hpp"

#if SCOREPATH_HAVE_CUDA
#include <cuda_runtime.h>
#include <curand.h>
#endif

// The CUDA architectures the kernels were built for (CMake's CUDA_ARCHITECTURES, commas).
#ifndef SCOREPATH_CUDA_ARCHS
#define SCOREPATH_CUDA_ARCHS ""
#endif

namespace scorepath {

bool cuda_compiled() noexcept { return SCOREPATH_HAVE_CUDA != 0; }

const char* cuda_architectures() noexcept { return SCOREPATH_CUDA_ARCHS; }

#if SCOREPATH_HAVE_CUDA

int cuda_device_count() noexcept {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" status
    return 0;
  }
  return count;
}

bool cuda_device_usable(int device) noexcept {
  if (device < 0 || device >= cuda_device_count()) return false;
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return detail::cuda_archs_run_on(SCOREPATH_CUDA_ARCHS, prop.major, prop.minor);
}

namespace detail {

void throw_cuda_error(int code, const char* call, const char* file, int line) {
  const auto err = static_cast<cudaError_t>(code);
  const std::string what = std::string(call) + " failed: " + cudaGetErrorName(err) + " (" +
                           cudaGetErrorString(err) + ")";
  if (err == cudaErrorMemoryAllocation) throw out_of_memory_error(what, file, line);
  throw cuda_error(what, file, line);
}

void throw_curand_error(int code, const char* call, const char* file, int line) {
  throw curand_error(std::string(call) + " failed with curandStatus " + std::to_string(code), file,
                     line);
}

void report_cuda_error(int code, const char* call, const char* file, int line) noexcept {
  std::fprintf(stderr, "scorepath: %s failed: %s (at %s:%d)\n", call,
               cudaGetErrorName(static_cast<cudaError_t>(code)), file, line);
}

cuda_device_scope::cuda_device_scope(int device) {
  SCOREPATH_CUDA_TRY(cudaGetDevice(&previous_));
  if (previous_ != device) {
    SCOREPATH_CUDA_TRY(cudaSetDevice(device));
    changed_ = true;
  }
}

cuda_device_scope::~cuda_device_scope() {
  if (changed_) SCOREPATH_CUDA_TRY_NO_THROW(cudaSetDevice(previous_));
}

void cuda_synchronize(int device, void* stream) {
  const cuda_device_scope on_device(device);
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)));
}

}  // namespace detail

device_buffer::device_buffer(std::size_t bytes, void* stream) : bytes_(bytes), stream_(stream) {
  if (bytes == 0) return;
  SCOREPATH_CUDA_TRY(cudaGetDevice(&device_));  // freed on this device, whatever is current then
  const cudaError_t err =
      cudaMallocAsync(&data_, bytes, static_cast<cudaStream_t>(stream));
  if (err != cudaSuccess) {
    cudaGetLastError();
    if (err == cudaErrorMemoryAllocation) {
      throw out_of_memory_error("device_buffer: cannot allocate " + std::to_string(bytes) +
                                    " bytes on the device",
                                __FILE__, __LINE__);
    }
    detail::throw_cuda_error(err, "cudaMallocAsync", __FILE__, __LINE__);
  }
}

void device_buffer::release() noexcept {
  if (data_ != nullptr) {
    int current = device_;
    SCOREPATH_CUDA_TRY_NO_THROW(cudaGetDevice(&current));
    if (current != device_) SCOREPATH_CUDA_TRY_NO_THROW(cudaSetDevice(device_));
    SCOREPATH_CUDA_TRY_NO_THROW(cudaFreeAsync(data_, static_cast<cudaStream_t>(stream_)));
    if (current != device_) SCOREPATH_CUDA_TRY_NO_THROW(cudaSetDevice(current));
  }
  data_ = nullptr;
  bytes_ = 0;
}

#else  // no CUDA in this build

int cuda_device_count() noexcept { return 0; }
bool cuda_device_usable(int) noexcept { return false; }

namespace detail {
void throw_cuda_error(int code, const char* call, const char* file, int line) {
  throw cuda_error(std::string(call) + " failed with status " + std::to_string(code), file, line);
}
void throw_curand_error(int code, const char* call, const char* file, int line) {
  throw curand_error(std::string(call) + " failed with status " + std::to_string(code), file,
                     line);
}
void report_cuda_error(int code, const char* call, const char* file, int line) noexcept {
  std::fprintf(stderr, "scorepath: %s failed with status %d (at %s:%d)\n", call, code, file, line);
}
void cuda_synchronize(int, void*) {}
cuda_device_scope::cuda_device_scope(int) {}
cuda_device_scope::~cuda_device_scope() = default;
}  // namespace detail

device_buffer::device_buffer(std::size_t bytes, void* stream) : bytes_(bytes), stream_(stream) {
  if (bytes != 0) {
    throw unavailable_error("device_buffer: this build has no CUDA backend", __FILE__, __LINE__);
  }
}

void device_buffer::release() noexcept {
  data_ = nullptr;
  bytes_ = 0;
}

#endif

device_buffer::~device_buffer() { release(); }

device_buffer::device_buffer(device_buffer&& other) noexcept
    : data_(other.data_), bytes_(other.bytes_), stream_(other.stream_), device_(other.device_) {
  other.data_ = nullptr;
  other.bytes_ = 0;
}

device_buffer& device_buffer::operator=(device_buffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    bytes_ = other.bytes_;
    stream_ = other.stream_;
    device_ = other.device_;
    other.data_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

}  // namespace scorepath
