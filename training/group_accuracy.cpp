// Accuracy per task (see group_accuracy.h).
#include "training/group_accuracy.h"

#include <cmath>
#include <cstdio>
#include <ostream>

#include "training/trainer.h"

namespace mnemo {

double GroupScore::accuracy() const {
  return counted ? static_cast<double>(correct) / static_cast<double>(counted) : std::nan("");
}

GroupAccuracy::GroupAccuracy(std::vector<std::string> names) {
  for (std::string& n : names) scores_.push_back({std::move(n), 0, 0});
}

void GroupAccuracy::add(const float* logits, const int64_t* labels, const int* groups, size_t positions,
                        size_t classes) {
  for (size_t i = 0; i < positions; ++i) {
    if (labels[i] <= 0 || groups[i] < 0 || static_cast<size_t>(groups[i]) >= scores_.size()) continue;
    GroupScore& s = scores_[static_cast<size_t>(groups[i])];
    ++s.counted;
    s.correct += decisionAccuracy(logits + i * classes, labels + i, 1, classes) == 1.0;
  }
}

void GroupAccuracy::print(std::ostream& os, const std::string& title) const {
  os << title << "\n";
  double sum = 0;
  int tasks = 0;
  char line[160];
  for (const GroupScore& s : scores_) {
    std::snprintf(line, sizeof line, "  %-24s %9lld positions  acc %.3f\n", s.name.c_str(),
                  static_cast<long long>(s.counted), s.accuracy());
    os << line;
    if (s.counted) sum += s.accuracy(), ++tasks;
  }
  std::snprintf(line, sizeof line, "  %-24s %9s            acc %.3f\n", "mean over tasks", "", tasks ? sum / tasks : std::nan(""));
  os << line;
}

}  // namespace mnemo
