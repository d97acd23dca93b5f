/**
 * @file memory.hpp
 * @brief Memory spaces, checked views of caller memory, and the stream-ordered device buffer.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>

#include "scorepath/error.hpp"

namespace scorepath {

/// Where a pointer lives.
enum class memory_space { host, device };

/// @brief A caller-owned array that a call writes into: pointer, element count and space.
///
/// An empty span (null data) means "this output is not wanted".
template <class T>
struct output_span {
  T* data = nullptr;                          ///< first element, or null for "not wanted"
  std::size_t size = 0;                       ///< number of elements available
  memory_space space = memory_space::host;    ///< where `data` lives
  /// True when the output is wanted.
  bool wanted() const noexcept { return data != nullptr; }
};

/**
 * @brief Refuses an output span with null data but a non-zero size: a buffer the caller meant to
 *        pass and did not, which would otherwise read as "not wanted".
 * @throw invalid_argument_error naming @p name
 */
template <class T>
void check_span_not_dangling(const output_span<T>& span, const std::string& name) {
  SCOREPATH_EXPECTS(span.data != nullptr || span.size == 0, name, "null",
                    "has size " + std::to_string(span.size) + " but no data");
}

/// A host output span over @p data with @p size elements.
template <class T>
output_span<T> host_output(T* data, std::size_t size) {
  return {data, size, memory_space::host};
}

/// A device output span over @p data with @p size elements.
template <class T>
output_span<T> device_output(T* data, std::size_t size) {
  return {data, size, memory_space::device};
}

/// @brief A caller-owned array that a call reads: pointer, element count and space.
template <class T>
struct input_span {
  const T* data = nullptr;                    ///< first element
  std::size_t size = 0;                       ///< number of elements
  memory_space space = memory_space::host;    ///< where `data` lives
};

/// A host input span over @p data with @p size elements.
template <class T>
input_span<T> host_input(const T* data, std::size_t size) {
  return {data, size, memory_space::host};
}

/// A device input span over @p data with @p size elements.
template <class T>
input_span<T> device_input(const T* data, std::size_t size) {
  return {data, size, memory_space::device};
}

/// @brief Multiplies sizes, throwing out_of_memory_error naming @p what on overflow.
std::size_t checked_size_product(std::uint64_t a, std::uint64_t b, const char* what);

/// Bytes this process can still allocate: physical memory, or what an address-space or data
/// limit (`ulimit -v`, `ulimit -d`) leaves beyond what the process already uses, or the budget of
/// set_host_memory_budget, whichever is smallest.
std::uint64_t host_memory_limit() noexcept;

/**
 * @brief Caps host_memory_limit() at @p bytes for the whole process (0 removes the cap), so that
 *        every request the library checks against it (check_host_request) beyond the budget
 *        fails with out_of_memory_error before anything is allocated.
 *
 * For limits the kernel does not report through sysconf or getrlimit: a container's memory
 * cgroup, a share of a machine, or a fuzzer's RSS limit. Thread-safe; it does not change what
 * the process may allocate by other means.
 */
void set_host_memory_budget(std::uint64_t bytes) noexcept;

/// The budget of set_host_memory_budget, or 0 when none is set.
std::uint64_t host_memory_budget() noexcept;

/// @brief Throws out_of_memory_error naming @p what when @p bytes can never be had on this host
///        (more than host_memory_limit()).
void check_host_request(std::uint64_t bytes, const char* what);

/// @brief Runs @p allocate, turning a std::bad_alloc into an out_of_memory_error naming @p what.
template <class F>
decltype(auto) allocating(const std::string& what, F&& allocate) {
  try {
    return allocate();
  } catch (const std::bad_alloc&) {
    throw out_of_memory_error(what + ": the memory it needs could not be allocated", __FILE__,
                              __LINE__);
  }
}

/**
 * @brief Uninitialised device memory, allocated and freed in stream order.
 *
 * Exists in every build; constructing one without the CUDA backend throws unavailable_error.
 */
class device_buffer {
 public:
  device_buffer() = default;
  /// @brief Allocates @p bytes on the current device, ordered on @p stream.
  /// @throw out_of_memory_error when the device cannot supply them
  device_buffer(std::size_t bytes, void* stream);
  ~device_buffer();
  device_buffer(device_buffer&& other) noexcept;
  device_buffer& operator=(device_buffer&& other) noexcept;
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;

  /// Device pointer (null when empty).
  void* data() const noexcept { return data_; }
  /// Typed device pointer.
  template <class T>
  T* as() const noexcept {
    return static_cast<T*>(data_);
  }
  /// Size in bytes.
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  void release() noexcept;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  void* stream_ = nullptr;
  int device_ = 0;  ///< the device it was allocated on (and is freed on)
};

}  // namespace scorepath
