// The tool's output files: checked before a run, written whole or not at all.
//
// An output that names a regular file (or nothing yet) is written to a unique temporary file in
// the destination's directory; every write, the flush, the fsync and the close are checked, and
// only then is the temporary renamed onto the destination. A failed write, an exception or a
// SIGINT, SIGTERM or SIGHUP removes the temporary, so the destination holds either its previous
// contents or the complete new file. An output that names a device or a pipe (/dev/stdout,
// /dev/null, a FIFO) is written directly, with the same checks.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace scorepath::cli {

/// A path given to a command-line option, with the option's name (e.g. "--json").
struct option_path {
  std::string option;
  std::string path;  ///< empty: the option was not given
};

/**
 * @brief Checks, before anything runs, that every output in @p outputs can be written: the path is
 *        not a directory; its directory exists and a file can be created there (tried by creating
 *        and removing a temporary); an existing file or device is writable; no output names the
 *        same file as another output or as one of @p inputs (compared by device and inode where the
 *        file exists, by normalised path where it does not). Entries with an empty path are
 *        skipped. Leaves no file behind.
 * @throw invalid_argument_error naming the output's option and path (and the other option for a
 *        clash)
 */
void check_output_paths(const std::vector<option_path>& outputs,
                        const std::vector<option_path>& inputs);

/// One output being written: a checked stream onto a temporary (or a device) until commit().
class output_file {
 public:
  /**
   * @brief Opens a unique temporary next to @p path (or @p path itself for a device or a pipe).
   * @param option the option that named @p path, for messages
   * @throw std::runtime_error naming the option, the path and the system's reason
   */
  output_file(std::string option, std::string path);
  /// Removes the temporary unless commit() (or publish()) completed.
  ~output_file();
  output_file(const output_file&) = delete;
  output_file& operator=(const output_file&) = delete;

  /// The stream to format into; a failed write is reported by finish(), not by the stream.
  std::ostream& stream();
  /**
   * @brief Flushes, syncs and closes the file, checking each step and every write before.
   * @throw std::runtime_error naming the option, the path and the reason (the temporary removed)
   */
  void finish();
  /**
   * @brief Renames the finished temporary onto the destination (nothing to do for a device).
   * @throw std::runtime_error when the rename fails (the temporary removed)
   */
  void publish();
  /// finish() then publish().
  void commit();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

/**
 * @brief Makes SIGINT, SIGTERM and SIGHUP remove every temporary an output_file holds, then end
 *        the process by the same signal (a shell reports 128 + its number: 130, 143, 129).
 *        A signal ignored when the tool started stays ignored. For the tool's main() only.
 */
void remove_temporaries_on_signals();

}  // namespace scorepath::cli
