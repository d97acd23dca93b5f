// A CSV file the figure programs write: opened or an exception, and every write checked when it
// is closed (a full disk or a failed write is an error, not a short file).
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

namespace scorepath::figures {

class csv_file {
 public:
  csv_file(const std::string& dir, const char* name)
      : path_(dir + "/" + name), f(std::fopen(path_.c_str(), "w")) {
    if (f == nullptr) throw std::runtime_error("cannot write " + path_);
  }
  csv_file(const csv_file&) = delete;
  csv_file& operator=(const csv_file&) = delete;
  ~csv_file() {
    if (f != nullptr) std::fclose(f);
  }

  /// Flushes and closes the file. @throw std::runtime_error when a write or the close failed
  void close() {
    const bool failed = std::ferror(f) != 0;
    const bool closed = std::fclose(f) == 0;
    f = nullptr;
    if (failed || !closed) throw std::runtime_error("writing " + path_ + " failed");
  }

 private:
  std::string path_;

 public:
  FILE* f;  ///< the stream to fprintf to
};

}  // namespace scorepath::figures
