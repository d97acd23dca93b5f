/**
 * @file rank_shares.hpp
 * @brief How a run of items (paths, samples) is shared out among the processes of a distributed
 *        run: contiguous ranges in rank order, cut only at statistics groups, so that the groups
 *        every process folds are the groups a single process would fold (grouped_moments.hpp).
 */
#pragma once

#include <cstdint>
#include <string>

#include "scorepath/error.hpp"
#include "scorepath/grouped_moments.hpp"

namespace scorepath {

/// Items [begin, begin + count) of a run: one process's share.
struct item_share {
  std::uint64_t begin = 0;  ///< first item of the share
  std::uint64_t count = 0;  ///< items in the share (0 when the run has fewer groups than parts)
};

/**
 * @brief Units [begin, begin + count) of @p units dealt out as evenly as possible among @p parts,
 *        in part order, the first parts taking one more; unchecked (share_of_items checks).
 */
inline item_share even_share(std::uint64_t units, int parts, int part) {
  const std::uint64_t n = static_cast<std::uint64_t>(parts), k = static_cast<std::uint64_t>(part);
  const std::uint64_t base = units / n, extra = units % n;
  return {k * base + (k < extra ? k : extra), base + (k < extra ? 1 : 0)};
}

/**
 * @brief The share of part @p part among @p parts of a run of @p items: whole groups of
 *        statistics_group items dealt out as evenly as possible, the first parts taking one group
 *        more, the last non-empty part ending at @p items. The shares tile [0, items) in part
 *        order, and a part may be empty when the run has fewer groups than parts.
 * @throw invalid_argument_error naming `parts` (< 1) or `part` (outside [0, parts))
 */
inline item_share share_of_items(std::uint64_t items, int parts, int part) {
  SCOREPATH_EXPECTS(parts >= 1, "parts", parts, "must be at least 1");
  SCOREPATH_EXPECTS(part >= 0 && part < parts, "part", part,
                    "must lie in [0, " + std::to_string(parts) + ")");
  const std::uint64_t groups = items / statistics_group + (items % statistics_group != 0 ? 1 : 0);
  const item_share own = even_share(groups, parts, part);
  if (own.count == 0) return {items, 0};
  // Both groups lie within the run, so neither product wraps.
  const std::uint64_t end_group = own.begin + own.count;
  item_share share;
  share.begin = own.begin * statistics_group;
  share.count = (end_group == groups ? items : end_group * statistics_group) - share.begin;
  return share;
}

}  // namespace scorepath
