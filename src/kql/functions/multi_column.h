#pragma once

// The calls that yield several columns when they are a whole item of extend / project:
// series_stats(x [, ignore_nonfinite]) and array_sort_asc / array_sort_desc of several
// arrays (functions/misc_functions.cc). The binder expands them, one bound call per column.
#include <cstddef>
#include <string>
#include <vector>

#include "kql/binder/bound.h"

namespace calypso::kql::functions {

// series_stats' statistics in output order: min, min_idx, max, max_idx, avg, stdev, variance.
const std::vector<std::string>& SeriesStatsNames();
// One statistic (index into SeriesStatsNames) of the series argument (long for the
// indexes, real otherwise); null when the series has a non-finite value and
// ignore_nonfinite is not true, or no number.
BoundCall SeriesStatsColumn(size_t stat);
core::Status CheckSeriesStatsArgs(const std::vector<const BoundExpr*>& args, core::SourcePos pos);

// series_fit_line(x): rsquare, slope, variance, rvariance, interception (real) and
// line_fit (dynamic) (functions/series_fit.cc).
const std::vector<std::string>& SeriesFitLineNames();
BoundCall SeriesFitLineColumn(size_t k);
core::Status CheckSeriesFitLineArgs(const std::vector<const BoundExpr*>& args,
                                    core::SourcePos pos);

// array_sort_*: the sorted `pick`th of the `num_arrays` arrays (SIZE_MAX: all of them as
// an array of arrays, or the one array itself).
BoundCall ArraySortCall(bool asc, size_t num_arrays, size_t pick);
// How many of the arguments are arrays (a trailing bool is nulls_last).
size_t ArraySortArrays(const std::vector<const BoundExpr*>& args);

}  // namespace calypso::kql::functions
