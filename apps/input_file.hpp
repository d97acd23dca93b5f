// The check of a file the command line reads (--weights, --samples-file) before it is opened.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "scorepath/error.hpp"

namespace scorepath::cli {

/**
 * @brief Refuses an input path that cannot be read as a file: empty, missing, a directory, or
 *        one this process may not read. Pipes and devices pass (their reader bounds what it reads).
 * @param kind what the file holds, for the message (e.g. "samples file"), after "a"
 * @throw invalid_argument_error naming @p option and the path, with the reason
 */
inline void check_input_file(const char* option, const std::string& path,
                             const std::string& kind) {
  SCOREPATH_EXPECTS(!path.empty(), option, "\"\"", "must name a " + kind + ", not be empty");
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || ::access(path.c_str(), R_OK) != 0) {
    throw invalid_argument_error(option, path,
                                 "must name a readable " + kind + ": " + std::strerror(errno),
                                 __FILE__, __LINE__);
  }
  SCOREPATH_EXPECTS(!S_ISDIR(info.st_mode), option, path, "must name a " + kind + ", not a directory");
}

}  // namespace scorepath::cli
