// The results of a sweep: one PointResult per finished point, read from the point's run
// directory, kept in OUT/sweep.csv (rewritten atomically after every finished point, so it is
// valid whenever the sweep stops) and drawn in OUT/sweep.svg.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "training/sweep_grid.h"

namespace mnemo {

struct PointResult {
  std::vector<std::pair<std::string, std::string>> values;  ///< the point's grid values
  std::string runDir;                                       ///< relative to OUT
  bool ok = false;
  std::string reason;                      ///< why it failed (empty if ok)
  double finalLoss = 0, finalAccuracy = 0;  ///< running means at the last step
  double seconds = 0;                      ///< wall time of the point's process
  /// The running loss and accuracy at each report step (every --print-every steps).
  std::map<int64_t, std::pair<double, double>> reports;
};

/// Summarises the finished run in \p runDir (its metrics.csv): ok with the final and per-report
/// values, or failed if the file is missing, malformed or ends in a non-finite loss.
PointResult summarizeRun(const std::string& runDir, int64_t printEvery);

/// One line of text holding \p r (for a worker rank to send to the coordinator) and back.
std::string serializeResult(const PointResult& r);
PointResult deserializeResult(const std::string& text);

/// The sweep's results table, keyed by run directory.
class SweepTable {
 public:
  explicit SweepTable(std::vector<std::string> axisNames) : axes_(std::move(axisNames)) {}
  /// Loads the rows of an earlier sweep.csv at \p path (none if it does not exist); throws a
  /// one-line error if its parameter columns differ from this grid's.
  void load(const std::string& path);
  void record(const PointResult& r) { rows_[r.runDir] = r; }
  /// True if the point with run directory \p runDir finished ok.
  bool finished(const std::string& runDir) const;
  size_t okCount() const;
  size_t failedCount() const { return rows_.size() - okCount(); }
  /// Writes the table to \p path atomically (rows in \p order of run directories first).
  void write(const std::string& path, const std::vector<std::string>& order) const;
  /// Writes the accuracy-against-parameter figure to \p path.
  void plot(const std::string& path) const;

 private:
  std::vector<std::string> axes_;
  std::map<std::string, PointResult> rows_;
};

}  // namespace mnemo
