// Matrix products (matrix_product.hpp): the chosen kernel and the library's own loops against a
// plain triple loop, for every transposition, β = 0 and β = 1, and leading dimensions wider than
// the matrices; the kernel is named.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "scorepath/matrix_product.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using test_support::test_rng;

/// C = β·C + op(A)·op(B) by definition.
void reference(bool ta, bool tb, int m, int n, int k, const std::vector<double>& a, int lda,
               const std::vector<double>& b, int ldb, double beta, std::vector<double>& c, int ldc) {
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int p = 0; p < k; ++p) {
        const double x = ta ? a[p * lda + i] : a[i * lda + p];
        const double y = tb ? b[j * ldb + p] : b[p * ldb + j];
        s += x * y;
      }
      c[i * ldc + j] = beta * c[i * ldc + j] + s;
    }
  }
}

template <class T, class Product>
void check_every_shape(Product product, const char* which) {
  test_rng g(3);
  const int m = 13, n = 37, k = 21;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      for (double beta : {0.0, 1.0}) {
        const int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5;
        std::vector<double> a((ta ? k : m) * lda), b((tb ? n : k) * ldb), c(m * ldc);
        for (double& e : a) e = g.normal();
        for (double& e : b) e = g.normal();
        for (double& e : c) e = g.normal();
        std::vector<T> at(a.begin(), a.end()), bt(b.begin(), b.end()), ct(c.begin(), c.end());
        std::vector<double> want = c;
        reference(ta, tb, m, n, k, a, lda, b, ldb, beta, want, ldc);
        product(ta, tb, m, n, k, at.data(), lda, bt.data(), ldb, static_cast<T>(beta), ct.data(), ldc);
        const double tol = sizeof(T) == 4 ? 1e-4 : 1e-12;
        for (int i = 0; i < m; ++i) {
          for (int j = 0; j < ldc; ++j) {
            const double expect = j < n ? want[i * ldc + j] : c[i * ldc + j];  // padding untouched
            EXPECT_NEAR(ct[i * ldc + j], expect, tol * (1 + std::fabs(expect)))
                << which << " ta " << ta << " tb " << tb << " beta " << beta << " at " << i << "," << j;
          }
        }
      }
    }
  }
}

TEST(MatrixProduct, ChosenKernelMatchesTheDefinition) {
  check_every_shape<float>(
      [](auto... args) { detail::matrix_product(args...); }, matrix_kernel().name.c_str());
  check_every_shape<double>(
      [](auto... args) { detail::matrix_product(args...); }, matrix_kernel().name.c_str());
}

TEST(MatrixProduct, BuiltInLoopsMatchTheDefinition) {
  check_every_shape<float>([](auto... args) { detail::builtin_matrix_product(args...); }, "built-in");
  check_every_shape<double>([](auto... args) { detail::builtin_matrix_product(args...); }, "built-in");
}

TEST(MatrixProduct, TheKernelIsNamedWithItsReason) {
  const matrix_kernel_info& k = matrix_kernel();
  EXPECT_FALSE(k.name.empty());
  EXPECT_FALSE(k.reason.empty());
  EXPECT_EQ(k.blas, k.name.rfind("OpenBLAS", 0) == 0) << k.name;
}

}  // namespace
}  // namespace scorepath
