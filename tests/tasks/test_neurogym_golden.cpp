// Every registered task against neurogym's own trials and Dataset batches
// (../shared/golden/neurogym/<id>.seed{0,1}.{trials,batches}.npz, made by the real neurogym code):
// with the numpy generator, observations (float32), targets (int64), periods and trial info must
// be identical, bit for bit. The cases are enumerated from the task registry, so a task
// registered without reference data fails here.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>

#include "support/error.h"
#include "tasks/dataset.h"
#include "tasks/delay_comparison.h"
#include "tasks/go_nogo.h"
#include "tasks/hierarchical_reasoning.h"
#include "tasks/registry.h"
#include "tasks/schedule.h"
#include "tasks/spatial_suppress_motion.h"
#include "tasks/yang19.h"
#include "tests/tasks/golden_reader.h"

using namespace mnemo;
using golden::GoldenArchive;
using golden::Json;

namespace {

const int kSeeds[] = {0, 1};

TaskConfig quietConfig(TaskConfig c = {}) {
  c.warn = [](const std::string&) {};
  return c;
}

/// The yang19 collection's files live in their own folder. Its single tasks come without
/// batches; the combined env's batches start from the schedule positions neurogym's Dataset
/// constructor leaves behind (its reset and first fill, before seeding), which mnemo's Dataset
/// does not emulate, so only its trials are compared.
bool isYang19(const std::string& file) { return file.compare(0, 6, "yang19") == 0; }

std::string goldenPath(const std::string& file) {
  const std::string dir = golden::goldenDir(isYang19(file) ? "neurogym-yang19" : "neurogym");
  INFO("neurogym reference files not found: set MNEMO_NEUROGYM_GOLDEN to the folder holding "
       "neurogym/ (e.g. /work/shared/golden)");
  REQUIRE(!dir.empty());
  const std::string path = dir + "/" + file;
  INFO("missing reference file " << path);
  REQUIRE(std::filesystem::exists(path));
  return path;
}

/// The first differing element of two equally long arrays (bitwise), or -1.
template <typename T>
long firstDifference(const T* a, const T* b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (std::memcmp(a + i, b + i, sizeof(T)) != 0) return static_cast<long>(i);
  return -1;
}

const TrialParam* findParam(const TrialInfo& info, const std::string& name) {
  for (const TrialParam& p : info.params)
    if (p.name == name) return &p;
  return nullptr;
}

/// Checks one neurogym trial-dict value against the trial's parameter of the same name (a list
/// of numbers against name_0, name_1, ...; the key ground_truth against the parameter gt).
void checkInfoValue(const TrialInfo& info, const std::string& key, const Json& v) {
  if (key == "ground_truth") return checkInfoValue(info, "gt", v);
  INFO("trial info '" << key << "'");
  if (v.type == Json::Type::Array) {
    for (size_t k = 0; k < v.items.size(); ++k) checkInfoValue(info, key + "_" + std::to_string(k), v.items[k]);
    return;
  }
  const TrialParam* p = findParam(info, key);
  REQUIRE(p != nullptr);
  if (v.type == Json::Type::String) {
    CHECK(p->text == v.text);
  } else if (v.type == Json::Type::Bool) {
    CHECK(p->value == (v.boolean ? 1.0 : 0.0));
  } else {
    REQUIRE(v.type == Json::Type::Number);
    CHECK(p->value == v.number);
  }
}

void checkTrials(const Task& task, const std::string& file, int seed) {
  const GoldenArchive z = golden::readGolden(goldenPath(file));
  const std::vector<std::string>& infos = z.str("trials_json");
  const std::vector<std::string>& periods = z.str("periods_json");
  REQUIRE(infos.size() >= 10);
  Rng rng(static_cast<uint64_t>(seed), RngKind::Numpy);
  Trial t;
  for (size_t i = 0; i < infos.size(); ++i) {
    INFO(file << " trial " << i);
    task.newTrial(rng, t);
    const NpyArray& ob = z.numeric.get("ob_" + std::to_string(i), NpyType::Float32);
    REQUIRE(ob.shape == std::vector<int64_t>{t.length(), task.obsSize()});
    const std::vector<float> want = ob.values<float>();
    const long obDiff = firstDifference(t.inputs.data(), want.data(), want.size());
    INFO("first differing input: step " << obDiff / task.obsSize() << " channel "
                                        << obDiff % task.obsSize() << ": mnemo "
                                        << (obDiff >= 0 ? t.inputs[obDiff] : 0) << ", neurogym "
                                        << (obDiff >= 0 ? want[obDiff] : 0));
    REQUIRE(obDiff == -1);
    if (task.targetSize() > 0) {  // continuous targets: float32 [T, k]
      const NpyArray& gt = z.numeric.get("gt_" + std::to_string(i), NpyType::Float32);
      REQUIRE(gt.shape == std::vector<int64_t>{t.length(), task.targetSize()});
      const std::vector<float> want = gt.values<float>();
      REQUIRE(firstDifference(t.targets.data(), want.data(), want.size()) == -1);
    } else {
      const std::vector<int64_t> gt = z.numeric.get("gt_" + std::to_string(i), NpyType::Int64).values<int64_t>();
      REQUIRE(t.labels == gt);
    }

    const Json ps = Json::parse(periods[i]);
    REQUIRE(ps.items.size() == t.info.periods.size());
    for (size_t k = 0; k < ps.items.size(); ++k) {
      const Json& p = ps.items[k];
      const PeriodSpan& mine = t.info.period(p.items.at(0).text);
      INFO("period " << mine.name);
      CHECK(mine.startMs == p.items.at(1).number);
      CHECK(mine.endMs == p.items.at(2).number);
      CHECK(mine.start == p.items.at(3).number);
      CHECK(mine.end == p.items.at(4).number);
    }
    const Json info = Json::parse(infos[i]);
    for (const auto& [key, value] : info.fields) {
      // A continuous task's trial dict holds its whole target array as ground_truth (float64
      // [T, k]): compared with the float32 targets instead of recorded as parameters.
      if (key == "ground_truth" && value.type == Json::Type::Array) {
        REQUIRE(task.targetSize() > 0);
        REQUIRE(value.items.size() == static_cast<size_t>(t.length()));
        for (size_t step = 0; step < value.items.size(); ++step) {
          REQUIRE(value.items[step].items.size() == static_cast<size_t>(task.targetSize()));
          for (size_t k = 0; k < value.items[step].items.size(); ++k)
            CHECK(t.targets[step * value.items[step].items.size() + k] ==
                  static_cast<float>(value.items[step].items[k].number));
        }
        continue;
      }
      checkInfoValue(t.info, key, value);
    }
  }
}

void checkBatches(std::shared_ptr<const Task> task, const std::string& file, int seed,
                  std::function<void(int, Rng&)> prepareColumn = {}) {
  const GoldenArchive z = golden::readGolden(goldenPath(file));
  const Json meta = Json::parse(z.str("meta_json").at(0));
  DatasetConfig cfg;
  cfg.batchSize = static_cast<int>(meta.find("batch_size")->number);
  cfg.seqLen = static_cast<int>(meta.find("seq_len")->number);
  cfg.seed = static_cast<uint64_t>(seed);
  cfg.keepTrialInfo = false;
  cfg.rngKind = RngKind::Numpy;
  // neurogym's Dataset draws trials before it seeds; a stateful task starts from what that left
  // behind (neurogymDatasetPreparation, nullptr for a stateless task) unless the caller says.
  cfg.prepareColumn = prepareColumn ? std::move(prepareColumn)
                                    : neurogymDatasetPreparation(*task, RngKind::Numpy, cfg.batchSize, cfg.seqLen);
  Dataset ds(task, cfg);
  CHECK(ds.cacheLen() == meta.find("cache_len")->number);
  const NpyArray& inputs = z.numeric.get("inputs", NpyType::Float32);
  const NpyArray& targets = z.numeric.get("targets", task->targetSize() > 0 ? NpyType::Float32 : NpyType::Int64);
  const int calls = static_cast<int>(inputs.shape.at(0));
  REQUIRE(inputs.shape == std::vector<int64_t>{calls, cfg.seqLen, cfg.batchSize, task->obsSize()});
  const std::vector<float> wantIn = inputs.values<float>();
  const bool continuous = task->targetSize() > 0;
  const std::vector<int64_t> wantLab = continuous ? std::vector<int64_t>{} : targets.values<int64_t>();
  const std::vector<float> wantTargets = continuous ? targets.values<float>() : std::vector<float>{};
  const size_t inPer = wantIn.size() / static_cast<size_t>(calls);
  const size_t labPer = wantLab.size() / static_cast<size_t>(calls);
  Batch b;
  for (int c = 0; c < calls; ++c) {
    INFO(file << " call " << c);
    ds.next(b);
    const long d = firstDifference(b.inputs.data(), wantIn.data() + c * inPer, inPer);
    INFO("first differing input at flat index " << d << " (step " << d / (cfg.batchSize * task->obsSize())
                                                << ", column " << (d / task->obsSize()) % cfg.batchSize << ")");
    REQUIRE(d == -1);
    if (task->targetSize() > 0) {
      const size_t per = wantTargets.size() / static_cast<size_t>(calls);
      REQUIRE(firstDifference(b.targets.data(), wantTargets.data() + c * per, per) == -1);
    } else {
      REQUIRE(firstDifference(b.labels.data(), wantLab.data() + c * labPer, labPer) == -1);
    }
  }
}

}  // namespace

TEST_CASE("every registered task reproduces neurogym's trials and batches with the numpy generator",
          "[task][neurogym-golden]") {
  for (const std::string& name : taskNames()) {
    SECTION(name) {
      std::shared_ptr<const Task> task = makeTask(name, quietConfig());
      // The collection is neurogym's ScheduleEnvs over the 20 yang19 tasks.
      const std::string file = name == kYang19CollectionName ? "yang19.ScheduleEnvs" : name;
      for (int seed : kSeeds) {
        INFO("seed " << seed);
        checkTrials(*task, file + ".seed" + std::to_string(seed) + ".trials.npz", seed);
        if (!isYang19(name)) checkBatches(task, name + ".seed" + std::to_string(seed) + ".batches.npz", seed);
      }
    }
  }
}

TEST_CASE("the yang19 notebook's collection (rings of 2) reproduces neurogym's trials",
          "[task][neurogym-golden]") {
  TaskConfig c = quietConfig();
  c.dt = 100;
  std::unique_ptr<Task> task = makeYang19Collection(c, 2);
  for (int seed : kSeeds) {
    INFO("seed " << seed);
    checkTrials(*task, "yang19.ScheduleEnvs.notebook.seed" + std::to_string(seed) + ".trials.npz", seed);
  }
}

TEST_CASE("the notebook's DelayComparison reproduces neurogym's with the numpy generator",
          "[task][neurogym-golden]") {
  auto task = std::make_shared<DelayComparison>(quietConfig(notebookConfig()));
  for (int seed : kSeeds) {
    INFO("seed " << seed);
    checkTrials(*task, "DelayComparison-v0.notebook.seed" + std::to_string(seed) + ".trials.npz", seed);
    checkBatches(task, "DelayComparison-v0.notebook.seed" + std::to_string(seed) + ".batches.npz", seed);
  }
}

TEST_CASE("the yang19 collection's Dataset batches equal neurogym's (independent columns)",
          "[task][neurogym-golden][yang19]") {
  // neurogym's Dataset leaves schedule positions behind from its constructor's reset and first
  // fill (before seeding); the reference files record them per column (pre_state_json) and mnemo
  // starts each column there. The _indep files build every column's env afresh: neurogym's
  // Dataset(env_instance) also shares one fixation stream between columns for nine DM tasks, a
  // neurogym bug mnemo does not copy.
  std::shared_ptr<const Task> task = makeYang19Collection(quietConfig());
  for (int seed : kSeeds) {
    INFO("seed " << seed);
    const std::string file = "yang19.ScheduleEnvs.seed" + std::to_string(seed) + ".batches_indep.npz";
    const GoldenArchive z = golden::readGolden(goldenPath(file));
    const Json pre = Json::parse(z.str("pre_state_json").at(0));
    REQUIRE(pre.items.size() == 16);
    std::vector<int> nextTask;
    std::vector<std::vector<int>> modality;
    for (const Json& column : pre.items) {
      nextTask.push_back(static_cast<int>(column.find("outer")->find("next_i_env")->number));
      std::vector<int> m(yang19TaskNames().size(), 0);
      for (const auto& [key, inner] : column.find("inner")->fields)
        m.at(static_cast<size_t>(std::stoi(key))) = static_cast<int>(inner.find("next_i_env")->number);
      modality.push_back(m);
    }
    checkBatches(task, file, seed, [&](int column, Rng& rng) {
      setScheduleState(rng, nextTask.at(static_cast<size_t>(column)), modality.at(static_cast<size_t>(column)));
    });
  }
}

TEST_CASE("HierarchicalReasoning's block state matches neurogym's before the trials and the batches",
          "[task][neurogym-golden]") {
  // init_state_json: the env's state after env.seed(S), i.e. its constructor's (block size drawn
  // from the unseeded generator, pinned to RandomState(0) in the files). pre_state_json: each
  // Dataset column's state after the Dataset constructor's reset and first fill and ds.seed(S),
  // which neurogymDatasetPreparation reproduces.
  auto task = std::make_shared<HierarchicalReasoning>(quietConfig());
  auto same = [](const HierarchicalReasoningState& s, const Json& want) {
    CHECK(s.rule == want.find("rule")->number);
    CHECK(s.blockSize == want.find("block_size")->number);
    CHECK(s.trialInBlock == want.find("trial_in_block")->number);
  };
  for (int seed : kSeeds) {
    INFO("seed " << seed);
    const std::string stem = std::string(HierarchicalReasoning::kName) + ".seed" + std::to_string(seed);
    const GoldenArchive trials = golden::readGolden(goldenPath(stem + ".trials.npz"));
    Rng fresh(static_cast<uint64_t>(seed), RngKind::Numpy);
    same(task->state(fresh), Json::parse(trials.str("init_state_json").at(0)));

    const GoldenArchive batches = golden::readGolden(goldenPath(stem + ".batches.npz"));
    const Json pre = Json::parse(batches.str("pre_state_json").at(0));
    const auto prepare = neurogymDatasetPreparation(*task, RngKind::Numpy, 16, 100);
    REQUIRE(prepare);
    REQUIRE(pre.items.size() == 16);
    for (int column = 0; column < 16; ++column) {
      Rng rng(static_cast<uint64_t>(seed + column), RngKind::Numpy);
      prepare(column, rng);
      same(task->state(rng), pre.items[static_cast<size_t>(column)]);
    }
  }
  // Stateless tasks and the mnemo generator need no preparation.
  CHECK(!neurogymDatasetPreparation(*task, RngKind::Mnemo, 16, 100));
  CHECK(!neurogymDatasetPreparation(GoNogo(), RngKind::Numpy, 16, 100));
}

TEST_CASE("SpatialSuppressMotion's float64 probabilities equal scipy's slinear interpolation",
          "[task][neurogym-golden]") {
  // The trial dicts hold neurogym's float64 ground truth (scipy's interp1d(kind='slinear')):
  // compared before the float32 rounding, where a plain linear formula differs in the last bit
  // at some frames.
  for (int seed : kSeeds) {
    const std::string file = std::string(SpatialSuppressMotion::kName) + ".seed" + std::to_string(seed) + ".trials.npz";
    const GoldenArchive z = golden::readGolden(goldenPath(file));
    for (const std::string& text : z.str("trials_json")) {
      const Json trial = Json::parse(text);
      const Json& gt = *trial.find("ground_truth");
      const int steps = static_cast<int>(gt.items.size());
      const std::vector<double> mine = SpatialSuppressMotion::targetProbabilities(
          static_cast<int>(trial.find("direction")->number), trial.find("contrast")->number > 0.5, steps);
      for (int t = 0; t < steps; ++t)
        for (int d = 0; d < 4; ++d) {
          INFO(file << " step " << t << " direction " << d);
          CHECK(mine[static_cast<size_t>(4 * t + d)] == gt.items[static_cast<size_t>(t)].items[static_cast<size_t>(d)].number);
        }
    }
  }
}

TEST_CASE("slinear interpolation extends its end pieces and refuses bad points", "[task]") {
  // Outside the points the first and last pieces continue (fill_value='extrapolate').
  const std::vector<double> v = slinearInterpolate({0, 2, 3}, {1, 3, 1}, {-1, 0, 1, 2, 2.5, 3, 4});
  CHECK(v == std::vector<double>{0, 1, 2, 3, 2, 1, -1});
  CHECK_THROWS_AS(slinearInterpolate({0, 0}, {1, 2}, {0}), Error);
  CHECK_THROWS_AS(slinearInterpolate({0}, {1}, {0}), Error);
  CHECK_THROWS_AS(slinearInterpolate({0, 1}, {1}, {0}), Error);
}
