/**
 * @file detail/em_plan.hpp
 * @brief A validated Euler–Maruyama request in the form both backends execute.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "scorepath/em_path.hpp"
#include "scorepath/grouped_moments.hpp"

namespace scorepath::detail {

/// Everything a backend needs to run a request (built and checked by simulate_em).
template <class T>
struct em_plan {
  em_schedule<T> schedule;            ///< kernel view; save_steps points at host memory
  std::vector<std::uint64_t> save_steps;
  std::uint64_t paths = 0;            ///< total paths
  std::uint64_t chunk_paths = 0;      ///< paths per chunk, a multiple of statistics_block
  int dim = 0;                        ///< state dimension
  std::uint32_t rows = 0;             ///< scratch rows per path
  std::uint32_t save_rows = 0;        ///< save_count × dim
  std::int64_t final_row = -1;        ///< first final-state row or −1
  std::int64_t reducer_row = -1;      ///< reducer row or −1
  bool statistics = false;            ///< reduce the save rows
  T* final_out = nullptr;             ///< [c·paths + p]
  T* saved_out = nullptr;             ///< [(s·dim + c)·paths + p]
  bool outputs_on_device = false;     ///< where final_out/saved_out live
  std::function<void(std::uint64_t, std::uint64_t)> progress;  ///< after each chunk, or empty

  /// Number of rows that get statistics (save rows if asked, then the reducer row).
  std::uint32_t stat_rows() const {
    return (statistics ? save_rows : 0u) + (reducer_row >= 0 ? 1u : 0u);
  }
  /// Scratch row of statistic @p i.
  std::uint32_t stat_row(std::uint32_t i) const {
    const std::uint32_t first = statistics ? save_rows : 0u;
    return i < first ? i : static_cast<std::uint32_t>(reducer_row);
  }
};

}  // namespace scorepath::detail
