// Shared by the benchmark files: precision names and the CPU-per-wall-time check.
#pragma once

#include <time.h>

#include <chrono>

namespace scorepath::bench {

/// "float" or "double", as the benchmark names spell them.
template <class T>
const char* precision_name() {
  return sizeof(T) == 4 ? "float" : "double";
}

/// Process CPU seconds over wall seconds across a timed loop: about the thread count when the
/// OpenMP threads really ran side by side. Reported as the "cpu_per_wall" counter, because a
/// scheduler that packs threads onto fewer CPUs (seen on small VMs) or another busy process makes
/// a 2-thread result meaningless; the ratio scripts warn on it.
class cpu_utilisation {
 public:
  double ratio() const {
    const double wall = std::chrono::duration<double>(clock::now() - wall0_).count();
    return wall > 0.0 ? (cpu_seconds() - cpu0_) / wall : 0.0;
  }

 private:
  using clock = std::chrono::steady_clock;
  static double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
  double cpu0_ = cpu_seconds();
  clock::time_point wall0_ = clock::now();
};

}  // namespace scorepath::bench
