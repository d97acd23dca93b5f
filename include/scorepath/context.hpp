/**
 * @file context.hpp
 * @brief Backend choice: where scorepath runs (CPU threads or one CUDA device and stream).
 */
#pragma once

#include <string>

namespace scorepath {

/// Most CPU threads a context may be given (context::set_threads).
inline constexpr int max_threads = 4096;

/// The backend a context runs on.
enum class backend { cpu, cuda };

/// What the caller asks for; `automatic` takes CUDA when a device exists, else the CPU.
enum class backend_choice { automatic, cpu, cuda };

/// Name of a backend ("cpu" or "cuda").
const char* to_string(backend kind) noexcept;

/// @brief Parses "auto", "cpu" or "cuda".
/// @throw invalid_argument_error naming `backend` for any other text.
backend_choice parse_backend_choice(const std::string& text);

/// True when this build has the CUDA backend compiled in.
bool cuda_compiled() noexcept;

/// Number of CUDA devices the driver reports; 0 without a build, driver or device (never throws).
int cuda_device_count() noexcept;

/// True when device @p device exists and this build has kernels for its compute capability
/// (cuda_architectures); the automatic backend uses only such a device (never throws).
bool cuda_device_usable(int device) noexcept;

/// The CUDA architectures this build's kernels were compiled for (e.g. "80,90"); empty without
/// CUDA.
const char* cuda_architectures() noexcept;

/// @brief Where and how scorepath runs.
///
/// A context is cheap to copy; it owns no memory. On the CPU it carries the thread count (0 means
/// OpenMP's default); on CUDA, the device id and the stream every call is ordered on.
class context {
 public:
  /// @brief Picks a backend.
  /// @param choice automatic, cpu or cuda
  /// @param device CUDA device id (ignored on the CPU)
  /// @throw unavailable_error when `cuda` is asked for and no device exists, CUDA is not built,
  ///        or the build has no kernels for the device's compute capability (automatic then
  ///        chooses the CPU)
  /// @throw invalid_argument_error when `device` is out of range
  explicit context(backend_choice choice = backend_choice::automatic, int device = 0);

  /// The backend chosen.
  backend kind() const noexcept { return kind_; }
  /// CPU threads used (resolved: never 0).
  int threads() const noexcept;
  /**
   * @brief Sets the CPU thread count; 0 restores OpenMP's default.
   *
   * A CPU call starts at most this many threads, and never more than it has blocks of work. Before
   * a call first starts more threads than any call before it, the library checks that the system
   * can create them, so a refused thread (a memory limit such as `ulimit -v`, a process limit)
   * becomes an out_of_memory_error naming `threads` instead of ending the process inside the
   * OpenMP runtime. (A thread the runtime itself starts and loses later cannot be caught.)
   * @throw invalid_argument_error naming `threads` for a count outside [0, max_threads]
   */
  void set_threads(int threads);
  /// CUDA device id (0 on the CPU).
  int device() const noexcept { return device_; }
  /// CUDA stream (a `cudaStream_t`) as an opaque handle; null is the default stream.
  void* stream() const noexcept { return stream_; }
  /// Orders later work on @p stream (a `cudaStream_t`), which the caller owns.
  void set_stream(void* stream) noexcept { stream_ = stream; }
  /// Waits for all work queued on the stream (no-op on the CPU).
  void synchronize() const;

 private:
  backend kind_ = backend::cpu;
  int device_ = 0;
  int threads_ = 0;
  void* stream_ = nullptr;
};

}  // namespace scorepath
