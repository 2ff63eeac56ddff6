// The task schedule with rule inputs (see schedule.h).
#include "tasks/schedule.h"

#include <algorithm>

#include "support/error.h"

namespace mnemo {

namespace {

/// The widest task's observation names, then one rule channel per task.
std::vector<std::string> scheduleChannels(const std::vector<std::unique_ptr<Task>>& tasks) {
  const Task* widest = tasks.front().get();
  for (const auto& t : tasks)
    if (t->obsSize() > widest->obsSize()) widest = t.get();
  std::vector<std::string> names = widest->obsNames();
  for (const auto& t : tasks) names.push_back("rule " + t->name());
  return names;
}

const std::vector<std::unique_ptr<Task>>& checked(const std::string& name, const std::vector<std::unique_ptr<Task>>& tasks) {
  if (tasks.empty()) MNEMO_FAIL(name << ": a task schedule needs at least one task");
  for (const auto& t : tasks)
    if (t->actionSize() != tasks.front()->actionSize())
      MNEMO_FAIL(name << ": " << t->name() << " has " << t->actionSize() << " labels but " << tasks.front()->name()
                      << " has " << tasks.front()->actionSize() << "; the tasks of a schedule share one output");
  return tasks;
}

/// The sub-tasks own the periods; the schedule has none of its own to override.
TaskConfig withoutTiming(TaskConfig c) {
  c.timing.clear();
  return c;
}

class Schedule : public Task {
 public:
  Schedule(const std::string& name, std::vector<std::unique_ptr<Task>> tasks, const TaskConfig& config)
      : Task(Spec{name, {}, scheduleChannels(checked(name, tasks)), tasks.front()->actionNames(), {"task_index"},
                  tasks.front()->dt()},
             withoutTiming(config)),
        tasks_(std::move(tasks)) {
    for (const auto& entry : config.timing) {
      bool used = config.skipUnknownPeriods;
      for (const auto& t : tasks_) {
        const std::vector<std::string>& names = t->periodNames();
        used = used || std::find(names.begin(), names.end(), entry.first) != names.end();
      }
      if (!used) MNEMO_FAIL("timing entry '" << entry.first << "' names no period of any task of " << name);
    }
  }

  std::vector<std::string> groupNames() const override {
    std::vector<std::string> names;
    for (const auto& t : tasks_) names.push_back(t->name());
    return names;
  }

  using Task::newTrial;
  void newTrial(Rng& rng, Trial& trial) const override {
    int64_t& next = rng.taskState(0);
    const size_t i = static_cast<size_t>(next);
    // Rule inputs: the task's channels (zero-padded to the widest task's), then a one-hot of the
    // task on every step. The task lays its rows out that wide (Trial::padTo; wider still if an
    // enclosing schedule asked for it), so only the one-hot is left to set.
    const int outer = obsSize(), asked = trial.padTo;
    trial.padTo = std::max(outer, asked);
    tasks_[i]->newTrial(rng.stream(1 + i), trial);
    trial.padTo = asked;
    const int cue = outer - static_cast<int>(tasks_.size()) + static_cast<int>(i);
    for (int t = 0; t < trial.length(); ++t) trial.row(t)[cue] = 1.0f;
    trial.info.params.push_back({"task_index", static_cast<double>(i), tasks_[i]->name()});
    trial.info.group = static_cast<int>(i);
    // RandomSchedule: uniform over the other tasks.
    if (tasks_.size() > 1) {
      const size_t pick = rng.stream(0).below(tasks_.size() - 1);
      next = static_cast<int64_t>(pick < i ? pick : pick + 1);
    }
    rng.countTrial();
  }

 protected:
  void build(TrialBuilder&) const override { MNEMO_FAIL("internal: a task schedule builds no trial itself"); }

 private:
  std::vector<std::unique_ptr<Task>> tasks_;
};

}  // namespace

std::unique_ptr<Task> makeTaskSchedule(const std::string& name, std::vector<std::unique_ptr<Task>> tasks,
                                       const TaskConfig& config) {
  return std::make_unique<Schedule>(name, std::move(tasks), config);
}

void setScheduleState(Rng& rng, int nextTask, const std::vector<int>& nextModality) {
  const int tasks = static_cast<int>(nextModality.size());
  if (nextTask < 0 || nextTask >= tasks)
    MNEMO_FAIL("task schedule: next task " << nextTask << " is not in 0.." << tasks - 1);
  rng.taskState(0) = nextTask;
  for (int k = 0; k < tasks; ++k) {
    if (nextModality[k] < 0) MNEMO_FAIL("task schedule: trial count " << nextModality[k] << " of task " << k << " is negative");
    rng.stream(1 + static_cast<size_t>(k)).setTrialsDrawn(static_cast<uint64_t>(nextModality[k]));
  }
}

}  // namespace mnemo
