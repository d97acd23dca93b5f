#include "scorepath/memory.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
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

namespace {
/// set_host_memory_budget's cap in bytes; 0 for none.
std::atomic<std::uint64_t> memory_budget{0};

/// Pages of this process's address space (field 0) or data segment (field 5) from
/// /proc/self/statm; 0 when unknown.
std::uint64_t statm_pages(int field) noexcept {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long v[7] = {};
  const int got = std::fscanf(f, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                              &v[4], &v[5], &v[6]);
  std::fclose(f);
  return got == 7 ? v[field] : 0;
}
}  // namespace

std::uint64_t host_memory_limit() noexcept {
  std::uint64_t limit = std::numeric_limits<std::uint64_t>::max();
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_size > 0) limit = static_cast<std::uint64_t>(pages) * page_size;
  const int resources[2] = {RLIMIT_AS, RLIMIT_DATA};
  const int fields[2] = {0, 5};
  for (int k = 0; k < 2; ++k) {
    rlimit r{};
    if (getrlimit(resources[k], &r) != 0 || r.rlim_cur == RLIM_INFINITY) continue;
    const std::uint64_t cap = static_cast<std::uint64_t>(r.rlim_cur);
    const std::uint64_t used =
        page_size > 0 ? statm_pages(fields[k]) * static_cast<std::uint64_t>(page_size) : 0;
    const std::uint64_t left = cap > used ? cap - used : 0;
    if (left < limit) limit = left;
  }
  const std::uint64_t budget = memory_budget.load(std::memory_order_relaxed);
  if (budget != 0 && budget < limit) limit = budget;
  return limit;
}

void set_host_memory_budget(std::uint64_t bytes) noexcept {
  memory_budget.store(bytes, std::memory_order_relaxed);
}

std::uint64_t host_memory_budget() noexcept {
  return memory_budget.load(std::memory_order_relaxed);
}

void check_host_request(std::uint64_t bytes, const char* what) {
  const std::uint64_t limit = host_memory_limit();
  if (bytes > limit) {
    const bool budget_binds = host_memory_budget() == limit;
    throw out_of_memory_error(std::string(what) + ": " + std::to_string(bytes) +
                                  " bytes requested, more than the " + std::to_string(limit) +
                                  (budget_binds ? " bytes of the host memory budget "
                                                  "(set_host_memory_budget)"
                                                : " bytes this process can still have on this host"),
                              __FILE__, __LINE__);
  }
}

}  // namespace scorepath
