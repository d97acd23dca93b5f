// The samples-file reader (samples_file.hpp).
#include "scorepath/samples_file.hpp"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <ios>

#include "scorepath/error.hpp"
#include "scorepath/input_file.hpp"

namespace scorepath {

namespace {

/// "<parameter> <path> line N", the start of every parameter name of a content error.
std::string where(const samples_file_options& o, const std::string& path, std::uint64_t line_no) {
  return o.parameter + " " + path + " line " + std::to_string(line_no);
}

/// Reads the next line into @p line; false at the end of the file.
/// @throw invalid_argument_error naming the file and line when it is too long
bool read_sample_line(std::istream& in, std::string& line, const std::string& path,
                      std::uint64_t line_no, const samples_file_options& o) {
  line.clear();
  std::streambuf* buf = in.rdbuf();
  for (int ch = buf->sbumpc(); ch != std::char_traits<char>::eof(); ch = buf->sbumpc()) {
    if (ch == '\n') return true;
    SCOREPATH_EXPECTS(line.size() < max_samples_file_line, where(o, path, line_no),
                      "longer than 1 MiB", "a row holds dim numbers");
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
                                    std::uint64_t line_no, const samples_file_options& o) {
  std::vector<sample_field> fields;
  const auto blank = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
  };
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
                        where(o, path, line_no) + " column " + std::to_string(k + 1), "','",
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
  SCOREPATH_EXPECTS(!after_comma,
                    where(o, path, line_no) + " column " + std::to_string(comma_column), "','",
                    "empty field: a comma must stand between two numbers");
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

namespace {

/// The rows of the file; @p dim 0 takes the first row's length as D (written back to @p dim).
std::vector<double> read_rows(const std::string& path, int& dim, const samples_file_options& o) {
  check_input_file(o.parameter, path, "samples file");
  std::ifstream in(path, std::ios::binary);
  SCOREPATH_EXPECTS(in.is_open(), o.parameter, path,
                    std::string("must be a readable file: ") + std::strerror(errno));
  std::vector<double> x;
  std::string line;
  std::uint64_t line_no = 0;
  try {
    while (read_sample_line(in, line, path, line_no + 1, o)) {
      ++line_no;
      const auto first = line.find_first_not_of(" \t\r\v\f");
      if (first == std::string::npos || line[first] == '#') continue;
      const std::vector<sample_field> fields = split_row(line, path, line_no, o);
      for (const sample_field& f : fields) {
        const double v = parse_sample_number(f.text, o.largest);
        if (std::isnan(v)) {
          const bool is_number = !std::isnan(parse_sample_number(f.text));
          throw invalid_argument_error(
              where(o, path, line_no) + " column " + std::to_string(f.column), f.text,
              is_number ? "is out of range for " + o.precision
                        : std::string(
                              "must be a finite decimal number (digits, sign, point and exponent)"),
              __FILE__, __LINE__);
        }
        x.push_back(v);
      }
      if (dim == 0) dim = static_cast<int>(fields.size());  // split_row never returns none
      SCOREPATH_EXPECTS(fields.size() == static_cast<std::size_t>(dim), where(o, path, line_no),
                        fields.size(), "must hold dim = " + std::to_string(dim) + " numbers");
    }
  } catch (const std::ios_base::failure& e) {  // a read error, as of a directory or a bad disk
    throw invalid_argument_error(o.parameter, path, "could not be read: " + std::string(e.what()),
                                 __FILE__, __LINE__);
  }
  SCOREPATH_EXPECTS(!x.empty(), o.parameter, path, "must hold at least one sample");
  return x;
}

}  // namespace

std::vector<double> read_samples_file(const std::string& path, int dim,
                                      const samples_file_options& o) {
  SCOREPATH_EXPECTS(dim >= 1, "dim", dim, "must be at least 1");
  return read_rows(path, dim, o);
}

samples_table read_samples_file_any_dim(const std::string& path, const samples_file_options& o) {
  samples_table table;
  table.values = read_rows(path, table.dim, o);
  return table;
}

}  // namespace scorepath
