/**
 * @file input_file.hpp
 * @brief The check of a path a reader is about to open (a samples file, a weights file).
 */
#pragma once

#include <string>

namespace scorepath {

/**
 * @brief Refuses an input path that cannot be read as a file: empty, missing, a directory, or
 *        one this process may not read. Pipes and devices pass (their reader bounds what it reads).
 * @param parameter what names the path in messages (a parameter or an option, `--weights`)
 * @param kind what the file holds, for the message (e.g. "samples file"), after "a"
 * @throw invalid_argument_error naming @p parameter and the path, with the reason
 */
void check_input_file(const std::string& parameter, const std::string& path,
                      const std::string& kind);

}  // namespace scorepath
