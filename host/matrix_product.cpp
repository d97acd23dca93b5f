#include "scorepath/matrix_product.hpp"

#include <dlfcn.h>
#include <omp.h>
#include <sys/resource.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace scorepath {
namespace {

/// The library's own loops: C = β·C + op(A)·op(B). The inner loop runs along a contiguous row
/// of B (or, for op(B) = Bᵀ, along rows of A and B as a dot product), so the compiler vectorises it.
template <class T>
void own_product(bool ta, bool tb, int m, int n, int k, const T* a, int lda, const T* b, int ldb,
                 T beta, T* c, int ldc) {
  for (int i = 0; i < m; ++i) {
    T* ci = c + static_cast<std::size_t>(i) * ldc;
    if (beta == T(0)) {
      for (int j = 0; j < n; ++j) ci[j] = T(0);
    } else if (beta != T(1)) {
      for (int j = 0; j < n; ++j) ci[j] *= beta;
    }
    if (tb) {
      if (!ta) {
        const T* ai = a + static_cast<std::size_t>(i) * lda;
        for (int j = 0; j < n; ++j) {
          const T* bj = b + static_cast<std::size_t>(j) * ldb;
          T s = T(0);
          for (int p = 0; p < k; ++p) s += ai[p] * bj[p];
          ci[j] += s;
        }
      } else {
        for (int j = 0; j < n; ++j) {
          const T* bj = b + static_cast<std::size_t>(j) * ldb;
          T s = T(0);
          for (int p = 0; p < k; ++p) s += a[static_cast<std::size_t>(p) * lda + i] * bj[p];
          ci[j] += s;
        }
      }
      continue;
    }
    for (int p = 0; p < k; ++p) {
      const T aip = ta ? a[static_cast<std::size_t>(p) * lda + i] : a[static_cast<std::size_t>(i) * lda + p];
      const T* bp = b + static_cast<std::size_t>(p) * ldb;
      for (int j = 0; j < n; ++j) ci[j] += aip * bp[j];
    }
  }
}

/// OpenBLAS cores with AVX2 or AVX-512 kernels for x86-64.
bool modern_core(const std::string& core) {
  for (const char* name : {"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"}) {
    if (core == name) return true;
  }
  return false;
}

// The CBLAS calls, by their C signatures (cblas.h: row major 101, no transpose 111, transpose 112).
using sgemm_fn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int,
                          float, float*, int);
using dgemm_fn = void (*)(int, int, int, int, int, int, double, const double*, int, const double*,
                          int, double, double*, int);
using name_fn = char* (*)();
constexpr int row_major = 101, no_transpose = 111, transpose = 112;

/// OpenBLAS, loaded at the first matrix product rather than at program start: its start-up
/// reserves buffers per thread, and under an address-space limit it would wait for them forever.
struct openblas_library {
  sgemm_fn sgemm = nullptr;
  dgemm_fn dgemm = nullptr;
};

openblas_library blas;

/// Address space below which OpenBLAS is not loaded (its buffers are hundreds of MiB).
constexpr std::uint64_t smallest_address_space = std::uint64_t{8} << 30;

matrix_kernel_info choose_kernel() {
  matrix_kernel_info info;
  info.name = "built-in loops";
#if defined(SCOREPATH_OPENBLAS_PATH)
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      limit.rlim_cur < smallest_address_space) {
    info.reason = "the address-space limit (ulimit -v) of " +
                  std::to_string(limit.rlim_cur >> 20) +
                  " MiB is below the 8 GiB OpenBLAS is given room for";
    return info;
  }
  void* handle = dlopen(SCOREPATH_OPENBLAS_PATH, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    info.reason = std::string("OpenBLAS could not be loaded: ") + dlerror();
    return info;
  }
  const auto sgemm = reinterpret_cast<sgemm_fn>(dlsym(handle, "cblas_sgemm"));
  const auto dgemm = reinterpret_cast<dgemm_fn>(dlsym(handle, "cblas_dgemm"));
  const auto corename = reinterpret_cast<name_fn>(dlsym(handle, "openblas_get_corename"));
  const auto config = reinterpret_cast<name_fn>(dlsym(handle, "openblas_get_config"));
  if (sgemm == nullptr || dgemm == nullptr || corename == nullptr || config == nullptr) {
    info.reason = "the OpenBLAS library found lacks cblas_sgemm, cblas_dgemm or its core name";
    return info;
  }
  const std::string core = corename();
  const std::string text = config();
  const std::string version = text.substr(0, text.find(' ', text.find(' ') + 1));
#if defined(__x86_64__) || defined(__i386__)
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  const bool avx2 = false;  // the core names below are x86's; elsewhere OpenBLAS is trusted
#endif
  if (!modern_core(core) && avx2) {
    info.reason = "OpenBLAS detected the " + core + " core on a CPU with AVX2 and FMA, so its "
                  "kernels would not use them; set OPENBLAS_CORETYPE (Haswell, Zen, SkylakeX) to "
                  "the CPU's family to run OpenBLAS";
    return info;
  }
  blas.sgemm = sgemm;
  blas.dgemm = dgemm;
  info.blas = true;
  info.name = version + ", " + core + " kernels";
  info.reason = "OpenBLAS detected the " + core + " core";
#else
  info.reason = "built without OpenBLAS";
#endif
  return info;
}

/// Runs @p call with OpenBLAS on the calling thread alone: inside an active parallel region it
/// is so already; elsewhere (a team of one thread, or no region) the thread's OpenMP thread count
/// is set to 1 for the call and restored after.
template <class F>
void on_this_thread(F&& call) {
  if (omp_in_parallel()) {
    call();
    return;
  }
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  call();
  omp_set_num_threads(saved);
}

}  // namespace

const matrix_kernel_info& matrix_kernel() {
  static const matrix_kernel_info info = choose_kernel();
  return info;
}

namespace detail {

void matrix_product(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b,
                    int ldb, float beta, float* c, int ldc) {
  if (matrix_kernel().blas) {
    on_this_thread([&] {
      blas.sgemm(row_major, ta ? transpose : no_transpose, tb ? transpose : no_transpose, m, n, k,
                 1.0f, a, lda, b, ldb, beta, c, ldc);
    });
    return;
  }
  own_product(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

void matrix_product(bool ta, bool tb, int m, int n, int k, const double* a, int lda,
                    const double* b, int ldb, double beta, double* c, int ldc) {
  if (matrix_kernel().blas) {
    on_this_thread([&] {
      blas.dgemm(row_major, ta ? transpose : no_transpose, tb ? transpose : no_transpose, m, n, k,
                 1.0, a, lda, b, ldb, beta, c, ldc);
    });
    return;
  }
  own_product(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

void builtin_matrix_product(bool ta, bool tb, int m, int n, int k, const float* a, int lda,
                            const float* b, int ldb, float beta, float* c, int ldc) {
  own_product(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

void builtin_matrix_product(bool ta, bool tb, int m, int n, int k, const double* a, int lda,
                            const double* b, int ldb, double beta, double* c, int ldc) {
  own_product(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace detail
}  // namespace scorepath
