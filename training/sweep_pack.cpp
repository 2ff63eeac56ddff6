// Packing sweep points into ensembles (see sweep_pack.h).
#include "training/sweep_pack.h"

#include <algorithm>
#include <map>

#include "support/error.h"
#include "training/sweep_pool.h"

namespace mnemo {

namespace {

/// The grid axes an ensemble's members may differ in.
bool memberAxis(const std::string& name) { return name == "seed" || name == "lr"; }

/// Flags `mnemo train --ensemble` refuses or sets itself.
const std::vector<std::string>& unpackableFlags() {
  static const std::vector<std::string> flags = {"model", "clip-grad-norm", "init", "data", "feed",
                                                 "ensemble", "ensemble-lr", "ensemble-seeds", "ensemble-out"};
  return flags;
}

void checkPackableFlag(const std::string& name) {
  const auto& refused = unpackableFlags();
  if (std::find(refused.begin(), refused.end(), name) != refused.end())
    MNEMO_FAIL("--pack-ensembles: the points cannot be packed into ensembles with --"
               << name << " (an ensemble trains the built-in model on the task's stream, and sets its own --ensemble "
                          "flags); leave out --pack-ensembles or --"
               << name);
}

/// A point's value of grid axis \p name ("" if the grid has no such axis).
std::string valueOf(const SweepPoint& p, const std::string& name) {
  for (const auto& [axis, value] : p.values)
    if (axis == name) return value;
  return "";
}

}  // namespace

void checkPackable(const std::vector<std::string>& trainArgs, const std::vector<GridAxis>& axes) {
  for (const std::string& token : trainArgs)
    if (token.rfind("--", 0) == 0) checkPackableFlag(token.substr(2, token.find('=') == std::string::npos ? std::string::npos : token.find('=') - 2));
  for (const GridAxis& a : axes) checkPackableFlag(a.name);
}

std::vector<std::vector<size_t>> packJobs(const std::vector<SweepPoint>& points, const std::vector<size_t>& todo,
                                          int64_t packMax) {
  // Points with the same values on every other axis share a key; a key's open job fills up to
  // packMax, then the next one starts.
  std::vector<std::vector<size_t>> jobs;
  std::map<std::string, size_t> open;  // key -> index into jobs of its job still filling
  for (size_t index : todo) {
    std::string key;
    for (const auto& [axis, value] : points[index].values)
      if (!memberAxis(axis)) key += axis + "=" + value + "\n";
    auto it = open.find(key);
    if (it != open.end() && static_cast<int64_t>(jobs[it->second].size()) < packMax) {
      jobs[it->second].push_back(index);
    } else {
      open[key] = jobs.size();
      jobs.push_back({index});
    }
  }
  return jobs;
}

std::vector<std::string> packCommand(const SweepPlan& plan, const std::vector<size_t>& job) {
  const SweepPoint& first = plan.points[job.front()];
  std::vector<std::string> argv = {plan.executable, "train"};
  argv.insert(argv.end(), plan.trainArgs.begin(), plan.trainArgs.end());
  for (const auto& [name, value] : first.values)
    if (!memberAxis(name)) argv.push_back("--" + name + "=" + value);
  bool sweptSeed = false, sweptLr = false;
  for (const auto& [name, value] : first.values) sweptSeed |= name == "seed", sweptLr |= name == "lr";
  std::string seeds, lrs;
  for (size_t index : job) {
    seeds += (seeds.empty() ? "" : ",") + valueOf(plan.points[index], "seed");
    lrs += (lrs.empty() ? "" : ",") + valueOf(plan.points[index], "lr");
  }
  argv.push_back("--ensemble=" + std::to_string(job.size()));
  // Without a seed axis every point trains at the sweep's --seed; without an lr axis at its --lr.
  argv.push_back("--ensemble-seeds=" + (sweptSeed ? seeds : std::string("same")));
  if (sweptLr) argv.push_back("--ensemble-lr=" + lrs);
  for (size_t index : job) argv.push_back("--ensemble-out=" + plan.outDir + "/" + plan.points[index].dirName);
  argv.insert(argv.end(), {"--threads=1", "--no-progress", "--print-every=" + std::to_string(plan.printEvery), "--overwrite"});
  return argv;
}

}  // namespace mnemo
