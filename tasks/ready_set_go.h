// The interval-timing tasks of neurogym's readysetgo module, ported bit for bit (with the numpy
// generator). All run at dt = 80 ms by default, so 100 / 83 / 50 ms periods floor to 80 / 80 / 0.
//
// ReadySetGo-v0 (Jazayeri & Shadlen 2015): fixation 100, ready 83, measure uniform(800, 1500)
//   drawn FIRST (before the other periods), set 83, production 2 x measure x gain. `measure`
//   starts after fixation, so it overlaps `ready`. Channels fixation (1 except in production),
//   ready, set. The label is 1 at the single step production.start + int(measure*gain / dt).
// MotorTiming-v0 (Wang et al. 2018): production index i in {0, 1} (interval 800 or 1500 ms),
//   periods fixation 500, cue uniform(1000, 3000), set 50 (empty at dt = 80), production
//   2 x interval. Channels (unnamed in neurogym): fixation, cue 1, cue 2, set; fixation rows
//   [1, 0, 0, 0], cue rows fixation and cue i+1, set rows also the set channel. Label as
//   ReadySetGo's at production.start + int(interval / dt).
// OneTwoThreeGo-v0 (Egger et al. 2019): interval from {600, ..., 1000} drawn first, then
//   fixation TruncExp(400, 100, 800) and target TruncExp(1000, 500, 1500) (timing objects, each
//   with its own generator), s1 100, interval1 = interval, s2 100, interval2 = interval, s3 100,
//   interval3 = interval, response 1000. Channels fixation (always 1), stimulus (1 in s1, s2,
//   s3), target (1 except in fixation). Label 1 over response.
//
// Metadata params: ReadySetGo measure, gain, production; MotorTiming production_ind,
// production; OneTwoThreeGo interval.
#pragma once

#include "tasks/task.h"

namespace mnemo {

/// ReadySetGo-v0.
class ReadySetGo : public Task {
 public:
  static constexpr const char* kName = "ReadySetGo-v0";
  explicit ReadySetGo(const TaskConfig& config = {}, double gain = 1);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  double gain_;
};

/// MotorTiming-v0.
class MotorTiming : public Task {
 public:
  static constexpr const char* kName = "MotorTiming-v0";
  explicit MotorTiming(const TaskConfig& config = {});

 protected:
  void build(TrialBuilder& b) const override;
};

/// OneTwoThreeGo-v0.
class OneTwoThreeGo : public Task {
 public:
  static constexpr const char* kName = "OneTwoThreeGo-v0";
  explicit OneTwoThreeGo(const TaskConfig& config = {});

 protected:
  void build(TrialBuilder& b) const override;
};

}  // namespace mnemo
