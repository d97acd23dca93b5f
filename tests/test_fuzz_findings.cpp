// Regression tests for the weights-file parser: what the fuzz targets found (fuzz/,
// docs/fuzzing.md), and what reviewing the parser for them found. Each input is also kept in
// fuzz/corpus/mlp_file/ or fuzz/corpus/mlp_roundtrip/.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <sstream>
#include <streambuf>
#include <string>

#include "scorepath/error.hpp"
#include "scorepath/mlp_file.hpp"
#include "support/test_support.hpp"

namespace {

using scorepath::invalid_argument_error;
using scorepath::mlp_description;

const std::string header = "scorepath-mlp 1\ndim 1\nhidden\nactivation tanh\nparameters 2\n";

/// The parameter an invalid_argument_error names for @p text, or "" when the text parses.
std::string refused_parameter(const std::string& text) {
  try {
    (void)scorepath::parse_mlp_text(text, "finding");
  } catch (const invalid_argument_error& e) {
    return e.parameter();
  }
  return "";
}

/// A 1 -> 1 affine network with the given weight and bias.
mlp_description affine(double weight, double bias) {
  mlp_description net;
  net.dim = 1;
  net.activation = scorepath::mlp_activation::tanh;
  net.parameters = {weight, bias};
  return net;
}

using scorepath::test_support::same_bits;

/// NUL bytes with no line end, like /dev/zero, but ending after 2^26 + 4 KiB of them so that a
/// parser that buffers the line fails this test instead of exhausting memory.
class zeros : public std::streambuf {
 protected:
  int_type underflow() override {
    if (given_ >= (std::size_t{1} << 26) + sizeof block_) return traits_type::eof();
    std::memset(block_, 0, sizeof block_);
    setg(block_, block_, block_ + sizeof block_);
    given_ += sizeof block_;
    return 0;
  }

 private:
  char block_[4096];
  std::size_t given_ = 0;
};

}  // namespace

// fuzz_mlp_roundtrip: write_mlp_file wrote subnormal parameters that read_mlp_file then refused
// (strtod flags them with ERANGE). Saved as fuzz/corpus/mlp_roundtrip/subnormal.
TEST(FuzzFindings, SubnormalParametersReadBackBitForBit) {
  const mlp_description net = affine(4.9406564584124654e-324, -2.2250738585072009e-308);
  const mlp_description back =
      scorepath::parse_mlp_text(scorepath::format_mlp_text(net), "subnormal");
  ASSERT_EQ(back.parameters.size(), 2u);
  EXPECT_TRUE(same_bits(back.parameters[0], net.parameters[0]));
  EXPECT_TRUE(same_bits(back.parameters[1], net.parameters[1]));
  // Below the smallest subnormal, a decimal rounds to zero as strtod rounds it.
  EXPECT_EQ(scorepath::parse_mlp_text(header + "1e-400 2\n", "underflow").parameters[0], 0.0);
}

// Review: a NUL byte ended the number strtol/strtod saw, so "1\0junk" read as 1.
// Saved as fuzz/corpus/mlp_file/nul_in_number.
TEST(FuzzFindings, NulInsideANumberIsRefusedNamingTheItem) {
  const std::string dim_nul = std::string("scorepath-mlp 1\ndim 1") + '\0' + "9\nhidden\n" +
                              "activation tanh\nparameters 2\n1 2\n";
  EXPECT_EQ(refused_parameter(dim_nul), "mlp file finding line 2: dim");
  const std::string param_nul = header + "1" + '\0' + "5 2\n";
  EXPECT_EQ(refused_parameter(param_nul), "mlp file finding line 6: parameters[0]");
}

// Review: the format is decimal, but strtod also took hex floats. Saved as
// fuzz/corpus/mlp_file/hex_and_overflow.
TEST(FuzzFindings, HexAndNamedNumbersAreRefused) {
  EXPECT_EQ(refused_parameter(header + "0x1p3 2\n"), "mlp file finding line 6: parameters[0]");
  EXPECT_EQ(refused_parameter(header + "1 infinity\n"), "mlp file finding line 6: parameters[1]");
  EXPECT_EQ(refused_parameter(header + "-nan 2\n"), "mlp file finding line 6: parameters[0]");
  EXPECT_EQ(refused_parameter(header + "1 1e400\n"), "mlp file finding line 6: parameters[1]");
}

// Review: an unknown activation was reported as 'activation' alone, without the file and line.
// Saved as fuzz/corpus/mlp_file/bad_activation.
TEST(FuzzFindings, UnknownActivationNamesTheFileAndLine) {
  const std::string text = "scorepath-mlp 1\ndim 1\nhidden\nactivation relu\nparameters 2\n1 2\n";
  try {
    (void)scorepath::parse_mlp_text(text, "finding");
    ADD_FAILURE() << "relu accepted";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "mlp file finding line 4: activation");
    EXPECT_EQ(e.value(), "relu");
  }
}

// Review: widths whose parameter count overflows were reported as 'hidden' without the file and
// line. Saved as fuzz/corpus/mlp_file/overflowing_widths.
TEST(FuzzFindings, OverflowingWidthsNameTheFileAndLine) {
  const std::string text =
      "scorepath-mlp 1\ndim 1073741824\nhidden 1073741824 1073741824 1073741824 1073741824 "
      "1073741824\nactivation tanh\nparameters 1\n1\n";
  EXPECT_EQ(refused_parameter(text), "mlp file finding line 5: hidden");
}

// Guard (the parser already refused this): a huge but consistent declared network is refused
// when the text ends, having read only the text (the buffer grows with the values read). Saved as
// fuzz/corpus/mlp_file/huge_widths.
TEST(FuzzFindings, ClaimedCountIsNotTrusted) {
  const std::string text =
      "scorepath-mlp 1\ndim 1073741824\nhidden 1073741824\nactivation tanh\n"
      "parameters 2305843011361177600\n1 2 3\n";
  try {
    (void)scorepath::parse_mlp_text(text, "finding");
    ADD_FAILURE() << "three values accepted for 2^61 parameters";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "mlp file finding line 6: parameters");
    EXPECT_NE(std::string(e.what()).find("ends early"), std::string::npos) << e.what();
  }
}

// Review: a text with no line end (/dev/zero as the weights file) was buffered without bound.
// The command-line check is tests/cli/test_cli.sh's "ssm weights without line ends".
TEST(FuzzFindings, EndlessLineIsRefusedNamingTheLine) {
  zeros source;
  std::istream in(&source);
  try {
    (void)scorepath::parse_mlp(in, "/dev/zero");
    ADD_FAILURE() << "an endless line was accepted";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "mlp file /dev/zero line 1: line length");
  }
}
