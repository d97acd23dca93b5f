#include "score_models.hpp"

#include <fstream>
#include <string>
#include <sstream>

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

/// Reads the next line into @p line; false at the end of the file.
/// @throw invalid_argument_error naming the file and line when it is longer than max_sample_line
bool read_sample_line(std::istream& in, std::string& line, const std::string& path, int line_no) {
  line.clear();
  std::streambuf* buf = in.rdbuf();
  for (int ch = buf->sbumpc(); ch != std::char_traits<char>::eof(); ch = buf->sbumpc()) {
    if (ch == '\n') return true;
    SCOREPATH_EXPECTS(line.size() < max_sample_line, path + " line " + std::to_string(line_no),
                      "longer than 1 MiB", "a row holds dim numbers");
    line.push_back(static_cast<char>(ch));
  }
  return !line.empty();
}

}  // namespace

std::vector<double> read_samples(const std::string& path, int dim) {
  std::ifstream in(path);
  SCOREPATH_EXPECTS(in.good(), "--samples-file", path, "must be a readable file");
  std::vector<double> x;
  std::string line;
  int line_no = 0;
  while (read_sample_line(in, line, path, line_no + 1)) {
    ++line_no;
    for (char& ch : line) {
      if (ch == ',') ch = ' ';
    }
    std::istringstream row(line);
    std::string token;
    int count = 0;
    while (row >> token) {
      if (count == 0 && token[0] == '#') break;
      std::size_t used = 0;
      double v = 0.0;
      try {
        v = std::stod(token, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      SCOREPATH_EXPECTS(used == token.size() && std::isfinite(v),
                        path + " line " + std::to_string(line_no), token,
                        "must be a finite number");
      x.push_back(v);
      ++count;
    }
    SCOREPATH_EXPECTS(count == 0 || count == dim, path + " line " + std::to_string(line_no), count,
                      "must hold dim = " + std::to_string(dim) + " numbers");
  }
  SCOREPATH_EXPECTS(!x.empty(), "--samples-file", path, "must hold at least one sample");
  return x;
}

}  // namespace scorepath::cli
