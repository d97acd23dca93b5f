/**
 * @file config.hpp
 * @brief Compiler portability macros shared by every scorepath header.
 */
#pragma once

#if defined(__CUDACC__)
/// Marks a function that runs on both the host and the device.
#define SCOREPATH_HD __host__ __device__
/// Like SCOREPATH_HD, and asks for inlining.
#define SCOREPATH_HDI __host__ __device__ __forceinline__
#else
#define SCOREPATH_HD
#define SCOREPATH_HDI inline __attribute__((always_inline))
#endif

/// Asks nvcc to unroll the loop that follows, so small per-thread arrays stay in registers.
/// Host compilers decide for themselves: forcing it there multiplies compile time for wide
/// models (every dual operation is already a loop over tangents) and gains nothing measurable.
#if defined(__CUDACC__)
#define SCOREPATH_UNROLL _Pragma("unroll")
#else
#define SCOREPATH_UNROLL
#endif

/// Asks a GCC or Clang host compile to unroll a short fixed loop (up to 8 trips) of host-only code,
/// such as the register-blocked rows of an MLP layer; nothing under nvcc.
#if !defined(__CUDACC__) && defined(__clang__)
#define SCOREPATH_HOST_UNROLL8 _Pragma("unroll 8")
#elif !defined(__CUDACC__) && defined(__GNUC__)
#define SCOREPATH_HOST_UNROLL8 _Pragma("GCC unroll 8")
#else
#define SCOREPATH_HOST_UNROLL8
#endif

/// Asks nvcc to keep the loop that follows rolled: for long outer loops whose bodies are large,
/// unrolling only raises register pressure.
#if defined(__CUDACC__)
#define SCOREPATH_NO_UNROLL _Pragma("unroll 1")
#else
#define SCOREPATH_NO_UNROLL
#endif

#if defined(__CUDA_ARCH__)
/// Defined while compiling device code.
#define SCOREPATH_DEVICE_PASS 1
#endif

#ifndef SCOREPATH_HAVE_CUDA
#define SCOREPATH_HAVE_CUDA 0
#endif

namespace scorepath {
/// Library version as a string.
inline constexpr const char* version_string = "0.1.0";
}  // namespace scorepath
