// The grid of a `mnemo sweep`: named axes, each a list of values for one `mnemo train` flag,
// given as `--grid NAME=SPEC` or as lines `NAME = SPEC` of a sweep file. A SPEC is a comma list
// whose items are single values or inclusive integer ranges `A:B` or `A:B:STEP`
// (`seed=0:3,8` is 0,1,2,3,8). The points are the cartesian product, the first axis varying
// slowest; each point has its own run directory name, built from its values.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mnemo {

struct GridAxis {
  std::string name;                 ///< the train flag, without "--"
  std::vector<std::string> values;  ///< as written (ranges expanded)
};

struct SweepPoint {
  std::vector<std::pair<std::string, std::string>> values;  ///< (axis name, value), in axis order
  std::string dirName;                                      ///< e.g. "seed=0_lr=1e-3"
};

/// Parses "NAME=SPEC"; \p where prefixes errors (e.g. "--grid 'seed=0:x'" or "FILE:LINE:COL").
GridAxis parseGridAxis(const std::string& text, const std::string& where);

/// Reads a sweep file: one axis per line as "NAME = SPEC", blank lines and '#' comments
/// ignored. Errors name FILE:LINE:COL.
std::vector<GridAxis> readSweepFile(const std::string& path);

/// Checks the axes (distinct names, none of the flags the sweep sets itself) and returns every
/// point; throws a one-line mnemo::Error on a problem.
std::vector<SweepPoint> gridPoints(const std::vector<GridAxis>& axes);

/// The flags `mnemo sweep` passes to every point itself; a grid axis may not name them.
const std::vector<std::string>& sweepOwnedFlags();

}  // namespace mnemo
