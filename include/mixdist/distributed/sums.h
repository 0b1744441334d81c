#pragma once

/// @file
/// @brief Sums of per-rank partial sums and counts: how a sharded evaluation is reduced.
///
/// A sharded evaluation must report what one process evaluating everything reports, so ranks return sums
/// and counts, never means (a mean of per-rank means weighs a short last shard wrong). The partial sums are
/// gathered and added in rank order, in double precision: every rank gets the same bits, counts are exact,
/// and a sum differs from a single process's sequential one only by the rounding of a few double additions.

#include <string>
#include <vector>

#include "mixdist/distributed/process_group.h"

namespace mixdist::distributed {

/// The element-wise sum over the ranks of `values` (the same length on every rank), added in rank order.
/// @param group the process group.
/// @param values this rank's partial sums and counts.
/// @param what what is summed, for the error message (e.g. "the test NLL sums").
/// @return the totals, bit for bit the same on every rank.
/// @throws c10::Error if the ranks' lengths differ (naming both), or as ProcessGroup's collectives.
std::vector<double> sum_over_ranks(ProcessGroup& group, const std::vector<double>& values,
                                   const std::string& what);

}  // namespace mixdist::distributed
