/**
 * @file vec.hpp
 * @brief Fixed-size vectors and matrices for kernel code (registers, no heap).
 */
#pragma once

#include "scorepath/config.hpp"
#include "scorepath/math.hpp"  // the math a model's body calls, for every lane type

namespace scorepath {

/// A fixed-size vector; the element type may be a float, a double, a SIMD pack or a dual number.
template <class T, int N>
struct vec {
  static_assert(N >= 1, "vec needs at least one element");
  T v[N];
  SCOREPATH_HDI T& operator[](int i) { return v[i]; }
  SCOREPATH_HDI const T& operator[](int i) const { return v[i]; }
  /// Number of elements.
  static constexpr int size() { return N; }
};

/// A fixed-size row-major matrix.
template <class T, int Rows, int Cols>
struct mat {
  T v[Rows][Cols];
  SCOREPATH_HDI T& operator()(int r, int c) { return v[r][c]; }
  SCOREPATH_HDI const T& operator()(int r, int c) const { return v[r][c]; }
};

/// A vector with every element equal to @p value.
template <class T, int N, class S>
SCOREPATH_HDI vec<T, N> filled(const S& value) {
  vec<T, N> out;
SCOREPATH_UNROLL
  for (int i = 0; i < N; ++i) out[i] = T(value);
  return out;
}

}  // namespace scorepath
