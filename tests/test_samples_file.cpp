// The samples-file reader (samples_file.hpp): what it reads, and a table of malformed files, each
// refused with invalid_argument_error naming the file, the line and (for a field) the column,
// with the offending text and the reason.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "scorepath/error.hpp"
#include "scorepath/samples_file.hpp"

namespace scorepath {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "scorepath_samples_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(SamplesFile, ReadsBlankAndCommaSeparatedRowsAndSkipsComments) {
  const std::string path =
      write_file("good.txt", "# x y\n0.5 1.0\n\n  # indented comment\n1.5, -2\n-3e-1\t,\t4E2\r\n1e-400 0\n");
  const std::vector<double> x = read_samples_file(path, 2);
  EXPECT_EQ(x, (std::vector<double>{0.5, 1.0, 1.5, -2.0, -0.3, 400.0, 0.0, 0.0}));
  EXPECT_TRUE(std::isnan(parse_sample_number("0x10")));
  EXPECT_TRUE(std::isnan(parse_sample_number("inf")));
  EXPECT_EQ(parse_sample_number("-2.5e1"), -25.0);
}

TEST(SamplesFile, AnyDimensionTakesTheFirstRowsLength) {
  const std::string path =
      write_file("five.txt", "# a comment first\n1 2 3 4 5\n\n6, 7, 8, 9, 10\n");
  const samples_table t = read_samples_file_any_dim(path);
  EXPECT_EQ(t.dim, 5);
  const std::vector<double> want = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(t.values, want);
  const std::string ragged = write_file("ragged_any.txt", "1 2 3\n4 5\n");
  try {
    (void)read_samples_file_any_dim(ragged);
    ADD_FAILURE() << "a short second row was accepted";
  } catch (const invalid_argument_error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("dim = 3"), std::string::npos) << e.what();
  }
  const std::string empty = write_file("only_comments.txt", "# nothing\n\n");
  EXPECT_THROW((void)read_samples_file_any_dim(empty), invalid_argument_error);
}

TEST(SamplesFile, MalformedFilesAreRefusedNamingFileLineAndColumn) {
  struct row {
    std::string name, text;
    int dim;
    std::string parameter_tail;  ///< after "<parameter> <path>"; empty: the file itself
    std::string value, reason;
  };
  const row rows[] = {
      {"ragged", "0.1 0.2\n0.3\n", 2, " line 2", "1", "must hold dim = 2 numbers"},
      {"too_many", "0.1 0.2 0.3\n", 2, " line 1", "3", "must hold dim = 2 numbers"},
      {"word", "0.1 x\n", 2, " line 1 column 5", "x", "must be a finite decimal number"},
      {"inf", "0.1 inf\n", 2, " line 1 column 5", "inf", "must be a finite decimal number"},
      {"hex", "0x1 2\n", 2, " line 1 column 1", "0x1", "must be a finite decimal number"},
      {"double_comma", "0.1,,0.2\n", 2, " line 1 column 5", "','", "empty field"},
      {"leading_comma", ",0.1 0.2\n", 2, " line 1 column 1", "','", "empty field"},
      {"trailing_comma", "0.1 0.2,\n", 2, " line 1 column 8", "','", "empty field"},
      {"overflow", "1e400 0.5\n", 2, " line 1 column 1", "1e400", "must be a finite decimal number"},
      {"comments_only", "# nothing\n\n", 2, "", "", "must hold at least one sample"},
      {"empty", "", 2, "", "", "must hold at least one sample"},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.name);
    const std::string path = write_file(r.name + ".txt", r.text);
    try {
      (void)read_samples_file(path, r.dim);
      ADD_FAILURE() << "no error";
    } catch (const invalid_argument_error& e) {
      EXPECT_EQ(e.parameter(), r.parameter_tail.empty() ? "samples_file"
                                                        : "samples_file " + path + r.parameter_tail);
      if (!r.value.empty()) EXPECT_EQ(e.value(), r.value);
      EXPECT_NE(std::string(e.what()).find(r.reason), std::string::npos) << e.what();
    }
  }
}

TEST(SamplesFile, ValuesBeyondThePrecisionAndBadPathsAreRefusedUnderTheGivenName) {
  const std::string big = write_file("float_overflow.txt", "1e39 0.5\n");
  samples_file_options as_float;
  as_float.largest = FLT_MAX;
  as_float.precision = "float";
  as_float.parameter = "--samples-file";
  EXPECT_EQ(read_samples_file(big, 2).front(), 1e39);  // fine in double
  try {
    (void)read_samples_file(big, 2, as_float);
    ADD_FAILURE() << "no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "--samples-file " + big + " line 1 column 1");
    EXPECT_NE(std::string(e.what()).find("is out of range for float"), std::string::npos);
  }
  const std::string dir = ::testing::TempDir();
  const std::string missing = dir + "scorepath_samples_none.txt";
  for (const std::string& path : {std::string(), missing, dir}) {
    SCOPED_TRACE(path);
    try {
      (void)read_samples_file(path, 2, as_float);
      ADD_FAILURE() << "no error";
    } catch (const invalid_argument_error& e) {
      EXPECT_EQ(e.parameter(), "--samples-file");
      EXPECT_NE(std::string(e.what()).find("samples file"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW((void)read_samples_file(big, 0), invalid_argument_error);
}

TEST(SamplesFile, AnEndlessLineIsRefusedNamingItsLine) {
  try {
    (void)read_samples_file("/dev/zero", 2);
    ADD_FAILURE() << "no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "samples_file /dev/zero line 1");
  }
}

}  // namespace
}  // namespace scorepath
