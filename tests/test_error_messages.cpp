// Error messages that quote user input stay one line of visible text: control bytes, NUL included,
// are written as \xNN instead of being copied into what() (where a NUL would cut the text short).
#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace scorepath
