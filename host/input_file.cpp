// The check of an input path before it is opened (input_file.hpp).
#include "scorepath/input_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "scorepath/error.hpp"

namespace scorepath {

void check_input_file(const std::string& parameter, const std::string& path,
                      const std::string& kind) {
  SCOREPATH_EXPECTS(!path.empty(), parameter, "\"\"", "must name a " + kind + ", not be empty");
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || ::access(path.c_str(), R_OK) != 0) {
    throw invalid_argument_error(parameter, path,
                                 "must name a readable " + kind + ": " + std::strerror(errno),
                                 __FILE__, __LINE__);
  }
  SCOREPATH_EXPECTS(!S_ISDIR(info.st_mode), parameter, path,
                    "must name a " + kind + ", not a directory");
}

}  // namespace scorepath
