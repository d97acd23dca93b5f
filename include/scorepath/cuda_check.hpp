/**
 * @file cuda_check.hpp
 * @brief Check macros for CUDA runtime and cuRAND calls (CUDA builds only).
 */
#pragma once

#include "scorepath/error.hpp"

namespace scorepath::detail {
/// Throws cuda_error (or out_of_memory_error for allocation failures) for a failed call.
[[noreturn]] void throw_cuda_error(int code, const char* call, const char* file, int line);
/// Throws curand_error for a failed cuRAND call.
[[noreturn]] void throw_curand_error(int code, const char* call, const char* file, int line);
/// Reports a failed call on stderr without throwing (for destructors).
void report_cuda_error(int code, const char* call, const char* file, int line) noexcept;
}  // namespace scorepath::detail

/// Runs a CUDA runtime call and throws scorepath::cuda_error when it fails.
#define SCOREPATH_CUDA_TRY(call)                                                      \
  do {                                                                                \
    const int scorepath_status_ = static_cast<int>(call);                             \
    if (scorepath_status_ != 0) {                                                     \
      ::scorepath::detail::throw_cuda_error(scorepath_status_, #call, __FILE__, __LINE__); \
    }                                                                                 \
  } while (0)

/// Runs a CUDA runtime call and reports a failure on stderr without throwing.
#define SCOREPATH_CUDA_TRY_NO_THROW(call)                                              \
  do {                                                                                 \
    const int scorepath_status_ = static_cast<int>(call);                              \
    if (scorepath_status_ != 0) {                                                      \
      ::scorepath::detail::report_cuda_error(scorepath_status_, #call, __FILE__, __LINE__); \
    }                                                                                  \
  } while (0)

/// Runs a cuRAND call and throws scorepath::curand_error when it fails.
#define SCOREPATH_CURAND_TRY(call)                                                      \
  do {                                                                                  \
    const int scorepath_status_ = static_cast<int>(call);                               \
    if (scorepath_status_ != 0) {                                                       \
      ::scorepath::detail::throw_curand_error(scorepath_status_, #call, __FILE__, __LINE__); \
    }                                                                                   \
  } while (0)
