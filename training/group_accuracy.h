// Accuracy per task when one network trains on several (a task schedule, e.g. yang19): the
// notebook's decision accuracy (argmax of the logits = label, over positions with label > 0),
// tallied separately for each task a position belongs to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace mnemo {

/// One task's tally.
struct GroupScore {
  std::string name;
  int64_t counted = 0;  ///< positions with label > 0
  int64_t correct = 0;
  /// correct / counted, NaN if nothing was counted.
  double accuracy() const;
};

class GroupAccuracy {
 public:
  explicit GroupAccuracy(std::vector<std::string> names);
  /// Adds \p positions positions: logits [positions, classes], labels and groups [positions]
  /// (a group < 0 or past the names is not counted).
  void add(const float* logits, const int64_t* labels, const int* groups, size_t positions, size_t classes);
  const std::vector<GroupScore>& scores() const { return scores_; }
  /// A table: one line per task (name, positions counted, accuracy), then the mean over tasks.
  void print(std::ostream& os, const std::string& title) const;

 private:
  std::vector<GroupScore> scores_;
};

}  // namespace mnemo
