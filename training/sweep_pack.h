// Packing sweep points into ensembles (`mnemo sweep --pack-ensembles`): points whose grid values
// differ only in seed and/or lr (every other flag equal) run together as one
// `mnemo train --ensemble K` process, member k being point k with its own seed
// (--ensemble-seeds), its own learning rate (--ensemble-lr) and its own run directory
// OUT/<point> (--ensemble-out), where it writes what a lone run of the point writes. Each point
// still gets its own row in sweep.csv, read from its own directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "training/sweep_grid.h"

namespace mnemo {

struct SweepPlan;

/// Throws a one-line mnemo::Error if the sweep's train flags \p trainArgs or grid \p axes use a
/// flag an ensemble refuses (a model file, --clip-grad-norm, --init, --data, --feed, the
/// --ensemble flags themselves), so packing cannot work.
void checkPackable(const std::vector<std::string>& trainArgs, const std::vector<GridAxis>& axes);

/// The jobs of \p todo (indices into \p points): points equal in every grid value but seed and
/// lr are packed, in grid order, into jobs of at most \p packMax points; every other point (and
/// every point when \p packMax is 1) is a job of its own.
std::vector<std::vector<size_t>> packJobs(const std::vector<SweepPoint>& points, const std::vector<size_t>& todo,
                                          int64_t packMax);

/// The command line (argv[0] first) of a job of several points: one `mnemo train --ensemble K`
/// with the points' seeds, learning rates and run directories.
std::vector<std::string> packCommand(const SweepPlan& plan, const std::vector<size_t>& job);

}  // namespace mnemo
