// Error messages that quote user input stay one line of visible text: control bytes, NUL included,
// are written as \xNN instead of being copied into what() (where a NUL would cut the text short).
// The scan for non-finite inputs finds the first one, wherever it falls in the scan's blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "scorepath/error.hpp"
#include "scorepath/mlp_file.hpp"

namespace scorepath {
namespace {

bool has_control_byte(const std::string& text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

TEST(ErrorMessages, ControlBytesInAValueAreEscaped) {
  const std::string value("1\0002\x1b[31m\n", 9);
  const invalid_argument_error e("x0", value, "must be a number", __FILE__, __LINE__);
  const std::string what = e.what();
  EXPECT_FALSE(has_control_byte(what)) << what;
  EXPECT_NE(what.find("1\\x002\\x1B[31m\\x0A"), std::string::npos) << what;
  EXPECT_NE(what.find("must be a number"), std::string::npos) << what;  // nothing cut after NUL
  EXPECT_EQ(e.value(), value);  // the value itself is kept as given
}

TEST(ErrorMessages, PrintableTextIsUnchanged) {
  const invalid_argument_error e("sigma", "-0.2", "must not be negative", __FILE__, __LINE__);
  EXPECT_NE(std::string(e.what()).find("invalid argument 'sigma' = -0.2: must not be negative"),
            std::string::npos);
}

TEST(ErrorMessages, AWeightsFileWithANulByteIsRefusedInVisibleText) {
  std::string text = "scorepath-mlp 1\ndim 2\nhidden 3\nactivation tanh\nparameters 17\n1 2";
  text += std::string("\0", 1);
  text += "3\n";
  try {
    (void)parse_mlp_text(text, "weights.txt");
    FAIL() << "a NUL byte inside the parameters was accepted";
  } catch (const invalid_argument_error& e) {
    const std::string what = e.what();
    EXPECT_FALSE(has_control_byte(what)) << what;
    EXPECT_NE(what.find("weights.txt"), std::string::npos) << what;
  }
}


template <class T>
class FirstNonFinite : public ::testing::Test {};
using scan_types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(FirstNonFinite, scan_types);

TYPED_TEST(FirstNonFinite, FindsTheFirstBadValueInEveryPositionOfABlock) {
  using T = TypeParam;
  using limits = std::numeric_limits<T>;
  const std::size_t n = 5000;  // several scan blocks and a partial one
  // Extremes that are finite must pass: the largest, the smallest normal, a subnormal, −0.
  std::vector<T> values(n, T(1.25));
  values[1] = limits::max();
  values[2] = -limits::max();
  values[3] = limits::min();
  values[4] = limits::denorm_min();
  values[5] = -T(0);
  EXPECT_EQ(detail::first_non_finite(values.data(), n), n);
  EXPECT_EQ(detail::first_non_finite(values.data(), std::size_t{0}), std::size_t{0});
  const T bad[] = {limits::infinity(), -limits::infinity(), limits::quiet_NaN(),
                   -limits::quiet_NaN()};
  for (const std::size_t at : {std::size_t{0}, std::size_t{2047}, std::size_t{2048},
                               std::size_t{4095}, std::size_t{4096}, n - 1}) {
    for (const T b : bad) {
      std::vector<T> v = values;
      v[at] = b;
      EXPECT_EQ(detail::first_non_finite(v.data(), n), at) << "bad value " << b << " at " << at;
      if (at + 3 < n) {
        v[at + 3] = limits::quiet_NaN();  // a second one later is not the first
        EXPECT_EQ(detail::first_non_finite(v.data(), n), at);
      }
    }
  }
}

TYPED_TEST(FirstNonFinite, RequireFiniteRowsNamesRowAndColumn) {
  using T = TypeParam;
  std::vector<T> values(3000 * 4, T(0.5));
  values[2049 * 4 + 3] = std::numeric_limits<T>::infinity();
  try {
    detail::require_finite_rows("samples", values.data(), values.size(), 4);
    FAIL() << "no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "samples[2049][3]");
    EXPECT_EQ(e.value(), "inf");
  }
}

}  // namespace
}  // namespace scorepath
