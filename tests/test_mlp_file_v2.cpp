// Weights files, version 2: the `end` line's count and checksum detect cut and edited files;
// version 1 files still read; read_mlp_file refuses directories with its documented error;
// write_mlp_file stages under a unique name and touches no other file.
#include <gtest/gtest.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "scorepath/error.hpp"
#include "scorepath/mlp_file.hpp"
#include "scorepath/scores/mlp.hpp"

namespace scorepath {
namespace {

/// A fresh empty directory, removed with its files at the end of the test.
class scratch_dir {
 public:
  scratch_dir() {
    char name[] = "/tmp/scorepath_mlp_v2.XXXXXX";
    path_ = ::mkdtemp(name) != nullptr ? name : "";
  }
  ~scratch_dir() {
    for (const std::string& f : files()) std::remove((path_ + "/" + f).c_str());
    ::rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }
  /// The names in the directory, but for . and ..
  std::set<std::string> files() const {
    std::set<std::string> names;
    if (DIR* d = ::opendir(path_.c_str())) {
      while (const dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n != "." && n != "..") names.insert(n);
      }
      ::closedir(d);
    }
    return names;
  }

 private:
  std::string path_;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A small network with negative, subnormal and exponent-bearing values.
mlp_description small_network() {
  mlp_description net;
  net.dim = 2;
  net.hidden = {3, 4};
  net.activation = mlp_activation::tanh;
  net.parameters.resize(mlp_parameter_count(net.dim, net.hidden));
  for (std::size_t k = 0; k < net.parameters.size(); ++k) {
    net.parameters[k] = (k % 3 == 0 ? -1.0 : 1.0) * (0.125 + 1.0 / (k + 3.0)) * (k % 5 == 0 ? 1e-7 : 1.0);
  }
  net.parameters[1] = 4.9406564584124654e-324;  // the smallest subnormal
  return net;
}

bool same(const mlp_description& a, const mlp_description& b) {
  if (a.dim != b.dim || a.hidden != b.hidden || a.activation != b.activation ||
      a.parameters.size() != b.parameters.size()) {
    return false;
  }
  return std::memcmp(a.parameters.data(), b.parameters.data(),
                     a.parameters.size() * sizeof(double)) == 0;
}

/// The checksum as the format's documentation defines it, computed here independently.
std::uint64_t documented_checksum(const mlp_description& net) {
  std::string bytes = "dim " + std::to_string(net.dim) + "\nhidden";
  for (int w : net.hidden) bytes += " " + std::to_string(w);
  bytes += std::string("\nactivation ") + to_string(net.activation) + "\nparameters " +
           std::to_string(net.parameters.size()) + "\n";
  for (double v : net.parameters) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    for (int b = 0; b < 8; ++b) bytes.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
  }
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
  return h;
}

TEST(MlpFileV2, WritesVersion2WithTheDocumentedEndLineAndReadsItBackBitForBit) {
  const mlp_description net = small_network();
  const std::string text = format_mlp_text(net);
  EXPECT_EQ(text.rfind("scorepath-mlp 2\n", 0), 0u) << text;
  char end_line[80];
  std::snprintf(end_line, sizeof end_line, "end %zu fnv1a64 %016llx\n", net.parameters.size(),
                static_cast<unsigned long long>(documented_checksum(net)));
  ASSERT_GE(text.size(), std::strlen(end_line));
  EXPECT_EQ(text.substr(text.size() - std::strlen(end_line)), end_line);
  EXPECT_EQ(mlp_checksum(net), documented_checksum(net));
  EXPECT_TRUE(same(parse_mlp_text(text, "v2"), net));
}

TEST(MlpFileV2, EveryCutOfTheTextIsRefused) {
  const std::string text = format_mlp_text(small_network());
  // Dropping only the final newline leaves every line whole; any shorter prefix is cut.
  for (std::size_t length = 0; length + 1 < text.size(); ++length) {
    EXPECT_THROW((void)parse_mlp_text(text.substr(0, length), "cut"), invalid_argument_error)
        << "a text cut to " << length << " of " << text.size() << " bytes was accepted";
  }
  EXPECT_NO_THROW((void)parse_mlp_text(text.substr(0, text.size() - 1), "no final newline"));
}

struct edit_case {
  const char* name;
  std::string (*edit)(std::string);
  const char* expect;  ///< part of the message
};

std::string replace_first(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

/// The parameter block's start: after the `parameters` line.
std::size_t body(const std::string& text) { return text.find('\n', text.find("parameters ")) + 1; }

const edit_case edits[] = {
    {"activation", [](std::string t) { return replace_first(t, "tanh", "silu"); }, "checksum"},
    {"widths_swapped", [](std::string t) { return replace_first(t, "hidden 3 4", "hidden 4 3"); },
     "checksum"},
    {"digit", [](std::string t) {
       const std::size_t at = t.find_first_of("123456789", body(t) + 3);
       t[at] = t[at] == '9' ? '8' : static_cast<char>(t[at] + 1);
       return t;
     }, "checksum"},
    {"value_dropped_and_count_lowered", [](std::string t) {
       const std::size_t first = body(t);
       t.erase(first, t.find(' ', first) + 1 - first);
       return t;
     }, "parameters"},
    {"end_count", [](std::string t) { return replace_first(t, "\nend 35 ", "\nend 34 "); },
     "end count"},
    {"end_missing", [](std::string t) { return t.substr(0, t.find("end ")); }, "'end' line"},
    {"end_algorithm", [](std::string t) { return replace_first(t, "fnv1a64", "crc32"); }, "end"},
    {"after_end", [](std::string t) { return t + "0\n"; }, "trailing data"},
};

class MlpFileV2Edit : public ::testing::TestWithParam<edit_case> {};

TEST_P(MlpFileV2Edit, IsRefusedNamingTheItem) {
  const std::string text = format_mlp_text(small_network());
  const std::string edited = GetParam().edit(text);
  ASSERT_NE(edited, text);
  try {
    (void)parse_mlp_text(edited, "edited");
    ADD_FAILURE() << "accepted:\n" << edited;
  } catch (const invalid_argument_error& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().expect), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Edits, MlpFileV2Edit, ::testing::ValuesIn(edits),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(MlpFileV2, EverySignBlankedOutIsRefused) {
  const std::string text = format_mlp_text(small_network());
  int signs = 0;
  for (std::size_t at = body(text); at < text.size(); ++at) {
    if (text[at] != '-') continue;
    ++signs;
    std::string edited = text;
    edited[at] = ' ';
    EXPECT_THROW((void)parse_mlp_text(edited, "sign"), invalid_argument_error) << "at " << at;
  }
  EXPECT_GT(signs, 10);
}

TEST(MlpFileV2, Version1FilesStillRead) {
  const mlp_description net = small_network();
  const std::string v2 = format_mlp_text(net);
  std::string v1 = "scorepath-mlp 1" + v2.substr(v2.find('\n'), v2.find("end ") - v2.find('\n'));
  EXPECT_TRUE(same(parse_mlp_text(v1, "v1"), net));
  // A version 1 text has no end line to check: one given is trailing data.
  EXPECT_THROW((void)parse_mlp_text("scorepath-mlp 1" + v2.substr(v2.find('\n')), "v1 with end"),
               invalid_argument_error);
}

TEST(MlpFileV2, DirectoriesAndEmptyPathsAreInvalidArguments) {
  scratch_dir dir;
  ASSERT_FALSE(dir.path().empty());
  for (const std::string& path : {dir.path(), dir.path() + "/", std::string()}) {
    try {
      (void)read_mlp_file(path);
      ADD_FAILURE() << "read '" << path << "'";
    } catch (const invalid_argument_error& e) {
      EXPECT_EQ(e.parameter(), "mlp file");
      EXPECT_EQ(e.value(), path);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "'" << path << "' threw another type: " << e.what();
    }
  }
  EXPECT_THROW((void)(load_mlp<double, 2>(dir.path())), invalid_argument_error);
}

TEST(MlpFileV2, WriteLeavesAnExistingTmpFileAlone) {
  scratch_dir dir;
  const std::string path = dir.path() + "/net.txt";
  {
    std::ofstream(path + ".tmp") << "someone else's file\n";
  }
  write_mlp_file(path, small_network());
  EXPECT_EQ(read_text(path + ".tmp"), "someone else's file\n");
  EXPECT_EQ(dir.files(), (std::set<std::string>{"net.txt", "net.txt.tmp"}));
  EXPECT_TRUE(same(read_mlp_file(path), small_network()));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_NE(info.st_mode & 0044, 0u) << "mode " << std::oct << info.st_mode;  // not 0600
}

TEST(MlpFileV2, FailedRenameRemovesTheTemporary) {
  scratch_dir dir;
  const std::string path = dir.path() + "/taken";
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
  { std::ofstream(path + "/inside") << "x"; }  // a non-empty directory cannot be renamed onto
  EXPECT_THROW(write_mlp_file(path, small_network()), invalid_argument_error);
  EXPECT_EQ(dir.files(), std::set<std::string>{"taken"});
  std::remove((path + "/inside").c_str());
  ::rmdir(path.c_str());
}

}  // namespace
}  // namespace scorepath
