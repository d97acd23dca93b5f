/**
 * @file matrix_product.hpp
 * @brief The matrix products of the training and sampling engines (a layer applied to a tile of
 *        samples and their tangents, and its reverse sweep), and which kernel runs them.
 *
 * On a build that found OpenBLAS (the OpenMP flavour, which runs single-threaded and thread-safe
 * when called from a thread of a parallel region), the first product loads it and products go to
 * sgemm/dgemm; each call runs on the calling thread only, so a product's result does not depend
 * on how many threads the library uses. The library runs its own loops instead where OpenBLAS
 * cannot be loaded, where the process's address space is limited below 8 GiB (OpenBLAS reserves
 * large buffers when it starts, and under a tight `ulimit -v` it would wait for them forever), and
 * where OpenBLAS detects a CPU older than the one it runs on (a virtualised CPU it does not know,
 * read as "Prescott" while AVX2 is there: its kernels would run several times slower).
 * matrix_kernel() says which kernel runs, and why.
 */
#pragma once

#include <string>

namespace scorepath {

/// Which kernel runs the engines' matrix products, and why.
struct matrix_kernel_info {
  bool blas = false;   ///< true: OpenBLAS; false: the library's own loops
  std::string name;    ///< e.g. "OpenBLAS 0.3.21, Zen kernels" or "built-in loops"
  std::string reason;  ///< why this kernel (the detected core, the CPU's instruction set)
};

/// The kernel chosen for this process (decided once, at the first call).
const matrix_kernel_info& matrix_kernel();

namespace detail {

/**
 * @brief C = β·C + op(A)·op(B), row-major, op(A) m × k, op(B) k × n, C m × n (leading
 *        dimensions lda, ldb, ldc as for a row-major GEMM). Runs on the calling thread.
 */
void matrix_product(bool transpose_a, bool transpose_b, int m, int n, int k, const float* a,
                    int lda, const float* b, int ldb, float beta, float* c, int ldc);
/// The same in double.
void matrix_product(bool transpose_a, bool transpose_b, int m, int n, int k, const double* a,
                    int lda, const double* b, int ldb, double beta, double* c, int ldc);

/// matrix_product by the library's own loops, whatever matrix_kernel() says (the fallback).
void builtin_matrix_product(bool transpose_a, bool transpose_b, int m, int n, int k,
                            const float* a, int lda, const float* b, int ldb, float beta, float* c,
                            int ldc);
/// The same in double.
void builtin_matrix_product(bool transpose_a, bool transpose_b, int m, int n, int k,
                            const double* a, int lda, const double* b, int ldb, double beta,
                            double* c, int ldc);

}  // namespace detail
}  // namespace scorepath
