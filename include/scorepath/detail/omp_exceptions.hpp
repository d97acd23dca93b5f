/**
 * @file detail/omp_exceptions.hpp
 * @brief Carries an exception thrown inside an OpenMP parallel region out of it.
 *
 * An exception may not leave a parallel region (the program would terminate), yet a worker can
 * fail: a score model or reducer of the user's throws, or per-thread scratch cannot be had. Each
 * worker runs its part through an omp_exception_trap; the first exception is kept, the remaining
 * work is skipped, and the caller rethrows it after the region, a std::bad_alloc as the library's
 * out_of_memory_error.
 */
#pragma once

#include <atomic>
#include <exception>
#include <new>

#include "scorepath/error.hpp"

namespace scorepath::detail {

/// Collects the first exception thrown by the workers of a parallel region.
class omp_exception_trap {
 public:
  /// Runs @p work, keeping what it throws; does nothing once any worker has failed.
  template <class Work>
  void run(Work&& work) noexcept {
    if (failed_.load(std::memory_order_relaxed)) return;
    try {
      work();
    } catch (...) {
#pragma omp critical(scorepath_omp_exception_trap)
      {
        if (!first_) first_ = std::current_exception();
      }
      failed_.store(true, std::memory_order_relaxed);
    }
  }

  /// @brief After the region: rethrows the kept exception, if any.
  /// @throw out_of_memory_error for a std::bad_alloc, else the exception as thrown
  void rethrow_if_failed() const {
    if (!first_) return;
    try {
      std::rethrow_exception(first_);
    } catch (const std::bad_alloc&) {
      throw out_of_memory_error("a CPU worker thread could not allocate its working memory",
                                __FILE__, __LINE__);
    }
  }

 private:
  std::atomic<bool> failed_{false};
  std::exception_ptr first_;
};

}  // namespace scorepath::detail
