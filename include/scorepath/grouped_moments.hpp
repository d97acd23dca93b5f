/**
 * @file grouped_moments.hpp
 * @brief The accumulators of a run's statistics, kept per group of consecutive items so that
 *        runs over consecutive item ranges merge bit for bit into the run over their union.
 *
 * Chan's update (moments.hpp) is not associative in floating point, so a run's statistics fix one
 * order: blocks of statistics_block items are folded in block order into their group of
 * statistics_group items, and a row's total folds the groups in group order. A run over items
 * [a, b) with a a multiple of statistics_group therefore produces exactly the groups the whole
 * run would, and appending them to the groups of [0, a) reproduces the whole run to the last bit.
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scorepath/error.hpp"
#include "scorepath/moments.hpp"

namespace scorepath {

/// Items per statistics group: where a run may be cut to be merged back exactly.
inline constexpr std::uint64_t statistics_group = 64 * statistics_block;

/// Per-row accumulators of one run, one per group of statistics_group consecutive items.
class grouped_moments {
 public:
  grouped_moments() = default;
  /// Empty accumulators for @p rows statistics.
  explicit grouped_moments(std::uint32_t rows) : rows_(rows) {}

  std::uint32_t rows() const noexcept { return rows_; }  ///< statistics kept
  /// Groups holding items so far.
  std::uint64_t group_count() const noexcept { return rows_ == 0 ? 0 : groups_.size() / rows_; }
  /// Accumulator of row @p r in group @p g.
  const moment_accumulator& group(std::uint64_t g, std::uint32_t r) const {
    return groups_[g * rows_ + r];
  }

  /**
   * @brief Folds the accumulators of @p count consecutive blocks, the first being block
   *        @p first_block of the run, into their groups. @p blocks holds `rows()` accumulators
   *        per block, block by block. Blocks must arrive in increasing order.
   */
  void fold_blocks(const moment_accumulator* blocks, std::uint64_t first_block,
                   std::uint64_t count) {
    constexpr std::uint64_t blocks_per_group = statistics_group / statistics_block;
    for (std::uint64_t b = 0; b < count; ++b) {
      const std::uint64_t g = (first_block + b) / blocks_per_group;
      if (g >= group_count()) groups_.resize((g + 1) * rows_);
      for (std::uint32_t r = 0; r < rows_; ++r) {
        groups_[g * rows_ + r].merge(blocks[b * rows_ + r]);
      }
    }
  }

  /// Row @p r over the whole run: the groups folded in order.
  moment_accumulator total(std::uint32_t r) const {
    moment_accumulator acc;
    for (std::uint64_t g = 0; g < group_count(); ++g) acc.merge(group(g, r));
    return acc;
  }

  /**
   * @brief Appends the groups of a run over the items that follow this one's.
   * @param items items this run covered (a multiple of statistics_group)
   * @throw invalid_argument_error naming `first run items` when @p items is not a multiple of
   *        statistics_group, or `rows` when the two runs keep different statistics
   */
  void append(const grouped_moments& later, std::uint64_t items) {
    SCOREPATH_EXPECTS(items % statistics_group == 0, "first run items", items,
                      "must be a multiple of statistics_group = " +
                          std::to_string(statistics_group) + " to merge exactly");
    SCOREPATH_EXPECTS(later.rows_ == rows_, "rows", later.rows_,
                      "both runs must keep the same statistics (" + std::to_string(rows_) + ")");
    SCOREPATH_EXPECTS(group_count() == items / statistics_group, "first run items", items,
                      "does not match the " + std::to_string(group_count()) + " groups it holds");
    groups_.insert(groups_.end(), later.groups_.begin(), later.groups_.end());
  }

 private:
  std::uint32_t rows_ = 0;
  std::vector<moment_accumulator> groups_;  ///< [g·rows + r]
};

}  // namespace scorepath
