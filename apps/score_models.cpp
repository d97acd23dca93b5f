#include "score_models.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <ios>
#include <limits>
#include <string>

#include "scorepath/normals.hpp"

namespace scorepath::cli {

std::vector<double> draw_samples(const std::string& model, int dim, std::uint64_t n,
                                 std::uint64_t seed) {
  philox_normals<double> normal(seed, 0u, 0u);
  philox_words<std::uint32_t> words(seed, 1u, 0u);
  std::vector<double> x(n * dim);
  for (std::uint64_t s = 0; s < n; ++s) {
    double* row = &x[s * dim];
    if (model == "gaussian") {
      const double z0 = normal.next(), z1 = normal.next();  // Cholesky factor [[1, 0], [0.5, 0.5]]
      row[0] = gauss_mean[0] + z0;
      row[1] = gauss_mean[1] + 0.5 * z0 + 0.5 * z1;
    } else if (model == "diag-gaussian") {
      for (int i = 0; i < dim; ++i) row[i] = diag_mean(i) + std::sqrt(diag_variance(i)) * normal.next();
    } else {
      const int c = static_cast<int>(words.next() % mixture_components);
      const double sd = std::sqrt(mixture_variance(dim));
      for (int i = 0; i < dim; ++i) row[i] = mixture_mean(dim, c, i) + sd * normal.next();
    }
  }
  return x;
}

namespace {

/// Longest line a samples file may have: far above a row of 64 numbers, far below memory.
constexpr std::size_t max_sample_line = std::size_t{1} << 20;

/// "--samples-file <path> line N", the start of every parameter name of a samples-file error.
std::string where(const std::string& path, std::uint64_t line_no) {
  return "--samples-file " + path + " line " + std::to_string(line_no);
}

/// Reads the next line into @p line; false at the end of the file.
/// @throw invalid_argument_error naming the file and line when it is longer than max_sample_line
bool read_sample_line(std::istream& in, std::string& line, const std::string& path,
                      std::uint64_t line_no) {
  line.clear();
  std::streambuf* buf = in.rdbuf();
  for (int ch = buf->sbumpc(); ch != std::char_traits<char>::eof(); ch = buf->sbumpc()) {
    if (ch == '\n') return true;
    SCOREPATH_EXPECTS(line.size() < max_sample_line, where(path, line_no), "longer than 1 MiB",
                      "a row holds dim numbers");
    line.push_back(static_cast<char>(ch));
  }
  return !line.empty();
}

/// One field of a row: its text and its 1-based column.
struct sample_field {
  std::string text;
  std::size_t column;
};

/// The fields of @p line: separated by blanks, or by one comma with blanks around it allowed.
/// @throw invalid_argument_error naming the file, line and column of an empty field
std::vector<sample_field> split_row(const std::string& line, const std::string& path,
                                    std::uint64_t line_no) {
  std::vector<sample_field> fields;
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  std::size_t k = 0;
  bool after_comma = false;  // a comma was read and no field has followed it yet
  std::size_t comma_column = 0;
  while (k < line.size()) {
    if (blank(line[k])) {
      ++k;
      continue;
    }
    if (line[k] == ',') {
      SCOREPATH_EXPECTS(!fields.empty() && !after_comma,
                        where(path, line_no) + " column " + std::to_string(k + 1), "','",
                        "empty field: a comma must stand between two numbers");
      after_comma = true;
      comma_column = k + 1;
      ++k;
      continue;
    }
    const std::size_t begin = k;
    while (k < line.size() && !blank(line[k]) && line[k] != ',') ++k;
    fields.push_back({line.substr(begin, k - begin), begin + 1});
    after_comma = false;
  }
  SCOREPATH_EXPECTS(!after_comma, where(path, line_no) + " column " + std::to_string(comma_column),
                    "','", "empty field: a comma must stand between two numbers");
  return fields;
}

}  // namespace

double parse_sample_number(const std::string& text, double largest) {
  if (text.empty() || text.find_first_not_of("0123456789+-.eE") != std::string::npos) {
    return std::nan("");
  }
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);  // underflow rounds to a subnormal or zero
  if (end != text.c_str() + text.size() || !(std::abs(v) <= largest)) return std::nan("");
  return v;
}

std::vector<double> read_samples(const std::string& path, int dim, double largest,
                                 const char* precision) {
  check_input_file("--samples-file", path, "samples file");
  std::ifstream in(path, std::ios::binary);
  SCOREPATH_EXPECTS(in.is_open(), "--samples-file", path,
                    std::string("must be a readable file: ") + std::strerror(errno));
  std::vector<double> x;
  std::string line;
  std::uint64_t line_no = 0;
  try {
    while (read_sample_line(in, line, path, line_no + 1)) {
      ++line_no;
      const auto first = line.find_first_not_of(" \t\r\v\f");
      if (first == std::string::npos || line[first] == '#') continue;
      const std::vector<sample_field> fields = split_row(line, path, line_no);
      for (const sample_field& f : fields) {
        const double v = parse_sample_number(f.text, largest);
        if (std::isnan(v)) {
          const double as_double = parse_sample_number(f.text, std::numeric_limits<double>::max());
          throw invalid_argument_error(
              where(path, line_no) + " column " + std::to_string(f.column), f.text,
              std::isnan(as_double)
                  ? "must be a finite decimal number (digits, sign, point and exponent)"
                  : std::string("is out of range for ") + precision,
              __FILE__, __LINE__);
        }
        x.push_back(v);
      }
      SCOREPATH_EXPECTS(fields.size() == static_cast<std::size_t>(dim), where(path, line_no),
                        fields.size(), "must hold dim = " + std::to_string(dim) + " numbers");
    }
  } catch (const std::ios_base::failure& e) {  // a read error, as of a directory or a bad disk
    throw invalid_argument_error("--samples-file", path,
                                 "could not be read: " + std::string(e.what()), __FILE__, __LINE__);
  }
  SCOREPATH_EXPECTS(!x.empty(), "--samples-file", path, "must hold at least one sample");
  return x;
}

}  // namespace scorepath::cli
