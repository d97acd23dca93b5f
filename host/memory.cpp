#include "scorepath/memory.hpp"

#include <unistd.h>

#include <limits>
#include <string>

namespace scorepath {

std::size_t checked_size_product(std::uint64_t a, std::uint64_t b, const char* what) {
  if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) {
    throw out_of_memory_error(std::string(what) + ": " + std::to_string(a) + " x " +
                                  std::to_string(b) + " elements overflow the address space",
                              __FILE__, __LINE__);
  }
  return static_cast<std::size_t>(a * b);
}

void check_host_request(std::uint64_t bytes, const char* what) {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return;
  const std::uint64_t physical = static_cast<std::uint64_t>(pages) * page_size;
  if (bytes > physical) {
    throw out_of_memory_error(std::string(what) + ": " + std::to_string(bytes) +
                                  " bytes requested, more than this host's " +
                                  std::to_string(physical) + " bytes of memory",
                              __FILE__, __LINE__);
  }
}

}  // namespace scorepath
