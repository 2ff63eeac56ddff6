// The training loop of `mnemo train` through mnemo::train: a short seeded run learns the task
// and is deterministic; a checkpoint restores exactly (same parameters, same next step); resuming
// continues the uninterrupted trajectory bit for bit; the run directory holds what it should;
// a diverging run stops at the step that went bad and keeps the last good checkpoint; the GRU of
// examples/gru.mnemo learns the task with no C++ change; fused and unfused runs agree.
//
// Runs here are small (T=50, B=16, H=32, a few hundred steps at most) so that the file stays fast
// under the sanitizers. The learning bounds were measured on seed 0 (and checked on seeds 1-3)
// and are stated with a margin next to each check.
#include <catch2/catch.hpp>

#include <algorithm>

#include "cli_runner.h"
#include "train_test_util.h"

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

#include "training/batch_source.h"
#include "training/checkpoint.h"
#include "training/compiled_model.h"
#include "frontend/dsl/model.h"
#include "training/trainer.h"
#include "training/training_report.h"
#include "support/error.h"
#include "io/npz.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

using testing::TempDir;

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using testing::notebookRun;

/// The parameter names of the run's model in declaration order (TrainResult::finalParams order).
std::vector<std::string> paramNames(const RunConfig& run) {
  ModelOptions opts;
  opts.batch = run.batch;
  opts.seqLen = run.seqLen;
  opts.sizeOverrides = run.sizes;
  return parseModel(run.modelSource, run.modelFile, opts).params;
}

/// The tensors of \p from concatenated in \p order.
std::vector<float> concat(const std::map<std::string, StoredTensor>& from, const std::vector<std::string>& order) {
  std::vector<float> out;
  for (const std::string& name : order) {
    auto it = from.find(name);
    REQUIRE(it != from.end());
    out.insert(out.end(), it->second.values.begin(), it->second.values.end());
  }
  return out;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

bool allFinite(const Checkpoint& c) {
  for (const auto* m : {&c.params, &c.state})
    for (const auto& [name, t] : *m)
      for (float v : t.values)
        if (!std::isfinite(v)) return false;
  return true;
}

/// \p n batches of the run's task as a --data file at \p path; \p edit may change them.
void writeTaskData(const std::string& path, const RunConfig& run, int64_t n,
                   const std::function<void(std::vector<float>&, std::vector<int64_t>&)>& edit = {}) {
  const int64_t T = run.seqLen, B = run.batch, I = 2;
  std::unique_ptr<BatchSource> src = taskBatches(run, I);
  std::vector<float> x(static_cast<size_t>(n * T * B * I));
  std::vector<int64_t> y(static_cast<size_t>(n * T * B));
  for (int64_t i = 0; i < n; ++i) src->next(x.data() + i * T * B * I, y.data() + i * T * B);
  if (edit) edit(x, y);
  NpzArchive npz(path);
  npz.add("inputs", NpyArray::from<float>({n, T, B, I}, x));
  npz.add("labels", NpyArray::from<int64_t>({n, T, B}, y));
  writeNpz(path, npz);
}

std::string errorOf(const TrainOptions& o) {
  try {
    train(o);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("decisionAccuracy scores positions with label > 0, first maximum on ties", "[train]") {
  const float logits[] = {
      5, 0, 0,  // label 0: not counted whatever the argmax
      0, 2, 1,  // label 1: right
      0, 2, 1,  // label 2: wrong
      1, 1, 1,  // label 1: a three-way tie goes to class 0, wrong
      0, 3, 3,  // label 1: a tie between 1 and 2 goes to 1, right
  };
  const int64_t labels[] = {0, 1, 2, 1, 1};
  CHECK(decisionAccuracy(logits, labels, 5, 3) == Approx(0.5));
  const int64_t fixation[] = {0, 0, 0, 0, 0};
  CHECK(std::isnan(decisionAccuracy(logits, fixation, 5, 3)));
  CHECK(trailingMean({1, 2, std::nan(""), 4}, 2) == 4);  // NaNs are skipped
  CHECK(trailingMean({1, 2, 3, 4}, 3) == 3);
  CHECK(std::isnan(trailingMean({}, 100)));
}

TEST_CASE("a short seeded run of the notebook RNN learns the task, the same for the same seed", "[train]") {
  // Measured (seed 0, H=32, T=50, B=16, lr 5e-3, 300 steps): first loss ~1.0, running loss over
  // steps 201-300 0.0196, running accuracy 0.753 (seeds 1-3: 0.019/0.766, 0.017/0.798,
  // 0.016/0.810). Untrained, the network answers "fixate" at the decision and scores ~0; guessing
  // between the two choices would score 0.5.
  TrainResult a = train(notebookRun(300));
  REQUIRE(a.loss.size() == 300);
  CHECK(a.firstStep == 1);
  CHECK(a.lastStep == 300);
  CHECK(a.loss.front() > 0.5);
  CHECK(a.runningLoss < 0.03);
  CHECK(a.runningAccuracy > 0.65);
  CHECK(a.runningLoss == Approx(trailingMean(a.loss, 100)));
  CHECK(a.kernelsPerStep > 0);

  TrainResult again = train(notebookRun(300));
  CHECK(again.loss == a.loss);
  CHECK(again.accuracy.size() == a.accuracy.size());
  CHECK(sameBits(again.finalParams, a.finalParams));

  TrainResult other = train(notebookRun(20, 1));
  CHECK(other.loss != std::vector<double>(a.loss.begin(), a.loss.begin() + 20));
}

TEST_CASE("checkpoint save and load give identical parameters and an identical next step", "[train]") {
  TempDir dir("ckpt");
  TrainOptions straightRun = notebookRun(21);
  TrainResult straight = train(straightRun);

  TrainOptions firstRun = notebookRun(20);
  firstRun.outDir = dir.path.string();
  TrainResult first = train(firstRun);
  REQUIRE(first.loss == std::vector<double>(straight.loss.begin(), straight.loss.begin() + 20));

  Checkpoint ckpt = loadCheckpoint(dir / "checkpoint.npz");
  CHECK(ckpt.step == 20);
  CHECK(ckpt.config.toJson() == firstRun.run.toJson());
  const std::vector<std::string> names = paramNames(ckpt.config);
  CHECK(names == std::vector<std::string>{"w_ir", "w_rr", "b_rr", "w_ro", "b_ro"});
  CHECK(sameBits(concat(ckpt.params, names), first.finalParams));
  for (const std::string& p : names) {
    CHECK(ckpt.state.at(p + ".m").dims == ckpt.params.at(p).dims);
    CHECK(ckpt.state.at(p + ".v").dims == ckpt.params.at(p).dims);
  }
  CHECK(ckpt.params.at("w_rr").dims == Dims{32, 32});
  CHECK(allFinite(ckpt));

  // Saving what was loaded and loading it again changes nothing.
  saveCheckpoint(dir / "copy.npz", ckpt);
  Checkpoint copy = loadCheckpoint(dir / "copy.npz");
  CHECK(copy.step == ckpt.step);
  CHECK(copy.config.toJson() == ckpt.config.toJson());
  for (const auto& [mine, theirs] : {std::pair{&ckpt.params, &copy.params}, {&ckpt.state, &copy.state}}) {
    REQUIRE(mine->size() == theirs->size());
    for (const auto& [name, t] : *mine) {
      CHECK(theirs->at(name).dims == t.dims);
      CHECK(sameBits(theirs->at(name).values, t.values));
    }
  }

  // The next step by hand from the checkpoint alone: a fresh session, the stored parameters,
  // moments and step, and the 21st batch of the run's stream.
  CompiledModel cm = compileModel(ckpt.config.modelSource, ckpt.config.modelFile,
                                  ModelOptions{ckpt.config.batch, ckpt.config.seqLen, ckpt.config.sizes, {}, false},
                                  CompileSettings{true, true, 1});
  Session& s = *cm.session;
  for (const std::string& p : names) {
    s.setF32(p, ckpt.params.at(p).values);
    s.setF32(p + ".m", ckpt.state.at(p + ".m").values);
    s.setF32(p + ".v", ckpt.state.at(p + ".v").values);
  }
  s.setAdam(ckpt.config.lr, 0.9, 0.999, 1e-8, ckpt.step);
  const int64_t T = ckpt.config.seqLen, B = ckpt.config.batch;
  std::vector<float> x(static_cast<size_t>(T * B * 2));
  std::vector<int64_t> y(static_cast<size_t>(T * B));
  std::unique_ptr<BatchSource> batches = taskBatches(ckpt.config, 2);
  for (int i = 0; i < 21; ++i) batches->next(x.data(), y.data());
  s.setF32("x", x);
  s.setI64("labels", y);
  float next = s.trainStep();
  CHECK(s.step() == 21);
  CHECK(static_cast<double>(next) == straight.loss[20]);  // bit for bit at one thread
  std::vector<float> after;
  for (const std::string& p : names) {
    std::vector<float> v = s.getF32(p);
    after.insert(after.end(), v.begin(), v.end());
  }
  CHECK(sameBits(after, straight.finalParams));
}

TEST_CASE("sgd with momentum trains, checkpoints its velocities and resumes exactly", "[train][sgd]") {
  TempDir dir("sgd");
  const int64_t N = 40;
  auto sgdRun = [&](int64_t steps) {
    TrainOptions o = notebookRun(steps);
    o.run.optimizer = "sgd";
    o.run.momentum = 0.9;
    o.run.lr = 0.05;
    return o;
  };
  TrainOptions straightRun = sgdRun(N);
  straightRun.outDir = dir / "straight";
  TrainResult straight = train(straightRun);
  CHECK(straight.loss.back() < straight.loss.front());

  TrainOptions firstHalf = sgdRun(N / 2);
  firstHalf.outDir = dir / "half";
  train(firstHalf);
  Checkpoint half = loadCheckpoint(dir / "half/checkpoint.npz");
  CHECK(half.config.optimizer == "sgd");
  CHECK(half.config.momentum == 0.9);
  CHECK(half.step == N / 2);
  std::set<std::string> states;
  for (const auto& [name, t] : half.state) states.insert(name);
  CHECK(states == std::set<std::string>{"w_ir.velocity", "w_rr.velocity", "b_rr.velocity", "w_ro.velocity",
                                        "b_ro.velocity"});

  TrainOptions secondHalf = sgdRun(N / 2);
  secondHalf.run = half.config;
  secondHalf.run.steps = N / 2;
  secondHalf.initCheckpoint = dir / "half/checkpoint.npz";
  secondHalf.outDir = dir / "resumed";
  TrainResult resumed = train(secondHalf);
  CHECK(resumed.firstStep == N / 2 + 1);
  CHECK(resumed.loss == std::vector<double>(straight.loss.begin() + N / 2, straight.loss.end()));
  CHECK(sameBits(resumed.finalParams, straight.finalParams));

  // An Adam checkpoint cannot seed an sgd run: its state has no velocities.
  TrainOptions adamHalf = notebookRun(N / 2);
  adamHalf.outDir = dir / "adam";
  train(adamHalf);
  TrainOptions mixed = sgdRun(1);
  mixed.initCheckpoint = dir / "adam/checkpoint.npz";
  CHECK_THROWS_WITH(train(mixed), Catch::Contains("has no values for %") && Catch::Contains(".velocity"));
}

TEST_CASE("resuming from a checkpoint continues the uninterrupted trajectory exactly", "[train]") {
  TempDir dir("resume");
  const int64_t N = 40;
  TrainOptions straightRun = notebookRun(N);
  straightRun.outDir = dir / "straight";
  TrainResult straight = train(straightRun);

  TrainOptions firstHalf = notebookRun(N / 2);
  firstHalf.outDir = dir / "half";
  train(firstHalf);
  TrainOptions secondHalf = notebookRun(N / 2);
  secondHalf.initCheckpoint = dir / "half/checkpoint.npz";
  secondHalf.outDir = dir / "resumed";
  TrainResult resumed = train(secondHalf);

  CHECK(resumed.firstStep == N / 2 + 1);
  CHECK(resumed.lastStep == N);
  CHECK(resumed.loss == std::vector<double>(straight.loss.begin() + N / 2, straight.loss.end()));
  CHECK(sameBits(resumed.finalParams, straight.finalParams));

  Checkpoint a = loadCheckpoint(dir / "straight/checkpoint.npz");
  Checkpoint b = loadCheckpoint(dir / "resumed/checkpoint.npz");
  CHECK(b.step == N);
  CHECK(a.step == N);
  for (const std::string& p : paramNames(a.config)) {
    CHECK(sameBits(b.params.at(p).values, a.params.at(p).values));
    CHECK(sameBits(b.state.at(p + ".m").values, a.state.at(p + ".m").values));
    CHECK(sameBits(b.state.at(p + ".v").values, a.state.at(p + ".v").values));
  }
  // Resumed into a fresh directory, the metrics hold the resumed steps only.
  std::string csv = readText(dir.path / "resumed/metrics.csv");
  CHECK(csv.find("\n21,") != std::string::npos);
  CHECK(csv.find("\n20,") == std::string::npos);

  // Resumed into the checkpoint's own directory, they continue its file: steps 1..N, once each.
  TrainOptions inPlace = notebookRun(N / 2);
  inPlace.initCheckpoint = dir / "half/checkpoint.npz";
  inPlace.outDir = dir / "half";
  train(inPlace);
  std::string whole = readText(dir.path / "half/metrics.csv");
  CHECK(std::count(whole.begin(), whole.end(), '\n') == N + 1);  // header + one row per step
  CHECK(whole.find("\n1,") != std::string::npos);
  CHECK(whole.find("\n20,") != std::string::npos);
  CHECK(whole.find("\n21,") != std::string::npos);
  CHECK(whole.find("\n40,") != std::string::npos);
}

TEST_CASE("a checkpoint of other sizes is refused before anything is written", "[train]") {
  TempDir dir("sizes");
  TrainOptions o = notebookRun(3);
  o.outDir = dir / "a";
  train(o);
  TrainOptions other = notebookRun(3);
  other.run.sizes["H"] = 16;
  other.initCheckpoint = dir / "a/checkpoint.npz";
  other.outDir = dir / "b";
  CHECK(errorOf(other) == "checkpoint " + (dir / "a/checkpoint.npz") +
                              ": %w_ir is [2,32], the model wants [2,16] (was it trained with other sizes?)");
  CHECK_FALSE(fs::exists(dir.path / "b"));
}

TEST_CASE("the run configuration survives its JSON form exactly", "[train]") {
  RunConfig c;
  c.modelFile = "dir with space/m\"odel\".mnemo";
  c.modelSource = "model m\n\tsize H = 3  # a \\ backslash, \"quotes\"\n";
  c.task = "PerceptualDecisionMaking-v0";
  c.batch = 7;
  c.seqLen = 33;
  c.sizes = {{"H", 12}, {"O", 4}};
  c.consts = {{"tau", 1.0 / 3.0}, {"alpha", -2.5e-7}};
  c.feeds = {{"noise", "normal(0.1)"}, {"bias", "constant(-1)"}};
  c.lr = 0.1 + 0.2;  // no short decimal form
  c.seed = 18446744073709551615ull;
  c.steps = 123;
  RunConfig back = RunConfig::fromJson(c.toJson(), "test");
  CHECK(back.modelFile == c.modelFile);
  CHECK(back.modelSource == c.modelSource);
  CHECK(back.task == c.task);
  CHECK(back.batch == 7);
  CHECK(back.seqLen == 33);
  CHECK(back.sizes == c.sizes);
  CHECK(back.consts == c.consts);
  CHECK(back.feeds == c.feeds);
  CHECK(back.lr == c.lr);
  CHECK(back.seed == c.seed);
  CHECK(back.steps == 123);
  CHECK_THROWS_WITH(RunConfig::fromJson("{\"model_file\": \"m\"}", "x.json"), "x.json: config JSON lacks \"model_source\"");
  CHECK_THROWS_WITH(RunConfig::fromJson("{\"a\": ", "x.json"), "x.json: config JSON at byte 6: unexpected end");
  std::string bad = c.toJson();
  bad.insert(bad.rfind('}'), ", \"const.tau\": \"fast\"");
  CHECK_THROWS_WITH(RunConfig::fromJson(bad, "x.json"), "x.json: config \"const.tau\" is not a finite number: fast");
}

TEST_CASE("truncated, corrupt and foreign checkpoints are one-line errors naming the file", "[train]") {
  TempDir dir("badckpt");
  TrainOptions o = notebookRun(2);
  o.outDir = dir.path.string();
  train(o);
  const std::string good = readText(dir.path / "checkpoint.npz");
  REQUIRE(good.size() > 1000);
  auto check = [&](const std::string& name, const std::string& bytes) {
    std::string path = dir / name;
    std::ofstream(path, std::ios::binary) << bytes;
    try {
      loadCheckpoint(path);
      FAIL(name << " loaded");
    } catch (const Error& e) {
      std::string msg = e.what();
      INFO(msg);
      CHECK(msg.find(path) != std::string::npos);
      CHECK(msg.find('\n') == std::string::npos);
    }
  };
  for (size_t cut : {size_t{0}, size_t{10}, good.size() / 4, good.size() / 2, good.size() - 100, good.size() - 1})
    check("cut" + std::to_string(cut) + ".npz", good.substr(0, cut));
  std::string flipped = good;
  for (size_t i = 100; i < 600; ++i) flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);  // corrupt member data
  check("flipped.npz", flipped);
  check("garbage.npz", std::string(4096, '\x17'));

  NpzArchive foreign(dir / "foreign.npz");
  foreign.add("weights", NpyArray::from<float>({2}, std::vector<float>{1, 2}));
  writeNpz(dir / "foreign.npz", foreign);
  CHECK_THROWS_WITH(loadCheckpoint(dir / "foreign.npz"),
                    "checkpoint " + (dir / "foreign.npz") + " is not a mnemo checkpoint (no config_json/step arrays)");
  CHECK_THROWS_WITH(loadCheckpoint(dir / "missing.npz"), "checkpoint " + (dir / "missing.npz") + " does not exist");
}

TEST_CASE("the run directory holds a loadable checkpoint, the config, per-step metrics and a plot", "[train]") {
  TempDir dir("rundir");
  TrainOptions o = notebookRun(30);
  o.outDir = dir / "run";
  o.checkpointEvery = 12;  // at steps 12 and 24, and at the end
  std::ostringstream report;
  o.out = &report;
  o.printEvery = 10;
  TrainResult r = train(o);

  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(dir.path / "run")) files.insert(e.path().filename().string());
  CHECK(files == std::set<std::string>{"checkpoint.npz", "config.json", "metrics.csv", "training.svg"});

  // The checkpoint is a plain .npz: the arrays NumPy will see.
  NpzArchive npz = readNpz(dir / "run/checkpoint.npz");
  std::set<std::string> names;
  for (const std::string& n : npz.names()) names.insert(n);
  std::set<std::string> expected = {"step", "config_json"};
  for (const std::string p : {"w_ir", "w_rr", "b_rr", "w_ro", "b_ro"}) {
    expected.insert("param/" + p);
    expected.insert("state/" + p + ".m");  // Adam's moments, saved as the graph's opt_state leaves
    expected.insert("state/" + p + ".v");
  }
  CHECK(names == expected);
  CHECK(npz.get("step", NpyType::Int64, {}, true).values<int64_t>() == std::vector<int64_t>{30});
  CHECK(npz.get("param/w_rr", NpyType::Float32).shape == std::vector<int64_t>{32, 32});
  std::vector<uint8_t> json = npz.get("config_json", NpyType::UInt8).values<uint8_t>();
  CHECK(std::string(json.begin(), json.end()) == o.run.toJson());
  CHECK(readText(dir.path / "run/config.json") == o.run.toJson());
  CHECK(loadCheckpoint(dir / "run/checkpoint.npz").step == 30);

  // metrics.csv: a header and one line per step with the losses the run returned.
  std::istringstream csv(readText(dir.path / "run/metrics.csv"));
  std::string line;
  std::getline(csv, line);
  CHECK(line == "step,loss,accuracy,running_loss,running_accuracy");
  int64_t rows = 0;
  while (std::getline(csv, line)) {
    ++rows;
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) cells.push_back(cell);
    REQUIRE(cells.size() == 5);
    CHECK(std::stoll(cells[0]) == rows);
    CHECK(std::stod(cells[1]) == Approx(r.loss[static_cast<size_t>(rows - 1)]).epsilon(1e-5));
  }
  CHECK(rows == 30);

  std::string svg = readText(dir.path / "run/training.svg");
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(svg.find("loss") != std::string::npos);

  // The report: the header, a line every 10 steps in the notebook's format, the summary.
  std::string text = report.str();
  CHECK(std::regex_search(text, std::regex(R"(^mnemo train: model rnn \(examples/notebook_rnn\.mnemo\), )"
                                           R"(DelayComparison-v0 .*B=16 T=50, fused)")));
  CHECK(std::regex_search(text, std::regex(R"(\nStep 10, Loss \d+\.\d{4}, Acc \d\.\d{3}\nStep 20, Loss )"
                                           R"(\d+\.\d{4}, Acc \d\.\d{3}\nStep 30, )")));
  CHECK(text.find("trained steps 1-30 in ") != std::string::npos);
}

TEST_CASE("a diverging run stops at the step that went bad and keeps the last good checkpoint", "[train]") {
  TempDir dir("nan");
  SECTION("a learning rate of 1e30 makes the second loss non-finite") {
    // Adam's first update moves every weight by about lr, to ~1e30; the recurrence then overflows.
    TrainOptions o = notebookRun(10);
    o.run.lr = 1e30;
    o.checkpointEvery = 1;
    o.outDir = dir / "run";
    std::string msg = errorOf(o);
    CHECK(std::regex_match(msg, std::regex("step 2: the loss is (NaN|infinite); training stopped; the last good "
                                           "checkpoint is " + std::regex_replace(dir / "run", std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                                           R"(/checkpoint\.npz \(step 1\))")));
    Checkpoint last = loadCheckpoint(dir / "run/checkpoint.npz");
    CHECK(last.step == 1);
    CHECK(allFinite(last));
  }
  SECTION("a batch of huge inputs overflows Adam's moments while the loss stays finite") {
    // Batch 4 of the file is scaled by 1e30: its loss (~1e33) is finite, but the squared
    // gradients are not, so the step-4 state must not be checkpointed.
    TrainOptions o = notebookRun(10);
    o.dataFile = dir / "huge.npz";
    writeTaskData(o.dataFile, o.run, 6, [&](std::vector<float>& x, std::vector<int64_t>&) {
      const size_t per = static_cast<size_t>(o.run.seqLen * o.run.batch * 2);
      for (size_t i = 3 * per; i < 4 * per; ++i) x[i] *= 1e30f;
    });
    o.checkpointEvery = 1;
    o.outDir = dir / "run";
    std::string msg = errorOf(o);
    INFO(msg);
    CHECK(std::regex_search(msg, std::regex("^step 4: .* holds NaN or infinite values")));
    CHECK(msg.find("the last good checkpoint is " + (dir / "run/checkpoint.npz") + " (step 3)") != std::string::npos);
    Checkpoint last = loadCheckpoint(dir / "run/checkpoint.npz");
    CHECK(last.step == 3);
    CHECK(allFinite(last));
  }
}

TEST_CASE("batches from a --data file train exactly like the task's own stream", "[train]") {
  TempDir dir("data");
  TrainOptions fromTask = notebookRun(8);
  TrainResult a = train(fromTask);
  TrainOptions fromFile = notebookRun(8);
  fromFile.dataFile = dir / "batches.npz";
  writeTaskData(fromFile.dataFile, fromFile.run, 8);
  TrainResult b = train(fromFile);
  CHECK(b.loss == a.loss);
  CHECK(sameBits(b.finalParams, a.finalParams));

  // Four batches are served in a cycle: step 5 sees batch 1 again.
  TrainOptions cycled = notebookRun(8);
  cycled.dataFile = dir / "four.npz";
  writeTaskData(cycled.dataFile, cycled.run, 4);
  TrainResult c = train(cycled);
  CHECK(std::vector<double>(c.loss.begin(), c.loss.begin() + 4) == std::vector<double>(a.loss.begin(), a.loss.begin() + 4));
  CHECK(c.loss[4] != a.loss[4]);
}

TEST_CASE("a --data file that does not fit the model is refused before anything is written", "[train]") {
  TempDir dir("baddata");
  TrainOptions o = notebookRun(3);
  o.outDir = dir / "run";
  const std::string path = dir / "d.npz";
  auto write = [&](NpyArray x, NpyArray y) {
    NpzArchive npz(path);
    npz.add("inputs", std::move(x));
    npz.add("labels", std::move(y));
    writeNpz(path, npz);
    o.dataFile = path;
    return errorOf(o);
  };
  auto f32 = [](std::vector<int64_t> shape) {
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    return NpyArray::from<float>(shape, std::vector<float>(n, 0.5f));
  };
  auto i64 = [](std::vector<int64_t> shape, int64_t value = 1) {
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    return NpyArray::from<int64_t>(shape, std::vector<int64_t>(n, value));
  };
  CHECK(write(f32({2, 40, 16, 2}), i64({2, 40, 16})) ==
        "--data " + path + ": inputs are float32(2, 40, 16, 2), the model wants float32[N,50,16,2] "
        "(set --seq-len/--batch to match the file)");
  CHECK(write(f32({2, 50, 16, 3}), i64({2, 50, 16})).find("the model wants float32[N,50,16,2]") != std::string::npos);
  CHECK(write(f32({50, 16, 2}), i64({50, 16})).find("inputs are float32(50, 16, 2)") != std::string::npos);
  CHECK(write(f32({2, 50, 16, 2}), i64({2, 50, 8})) == "--data " + path + ": labels are (2, 50, 8), expected (2, 50, 16)");
  CHECK(write(f32({2, 50, 16, 2}), f32({2, 50, 16})) ==
        "--data " + path + ": labels must be int64 or int32, got float32");
  CHECK(write(f32({2, 50, 16, 2}), i64({2, 50, 16}, 3)) ==
        "--data " + path + ": label 3 (batch 0, t 0, b 0) is not a class of the model, [0,3)");
  CHECK(write(f32({0, 50, 16, 2}), i64({0, 50, 16})) == "--data " + path + ": holds no batches");
  NpzArchive onlyInputs(path);
  onlyInputs.add("inputs", f32({2, 50, 16, 2}));
  writeNpz(path, onlyInputs);
  CHECK(errorOf(o) == "--data " + path + ": needs arrays 'inputs' and 'labels'");
  o.dataFile = dir / "none.npz";
  CHECK(errorOf(o) == "--data " + (dir / "none.npz") + ": no such file");
  CHECK_FALSE(fs::exists(dir.path / "run"));

  // int32 labels are accepted.
  CHECK(write(f32({2, 50, 16, 2}), NpyArray::from<int32_t>({2, 50, 16}, std::vector<int32_t>(1600, 2))) == "(no error)");
}

TEST_CASE("the GRU of examples/gru.mnemo learns the task with no C++ change", "[train]") {
  // Measured (seed 0, H=32, T=50, B=16, lr 1e-2, 300 steps, ~0.6 s in Release): first loss ~1.1,
  // running loss 0.0143, running accuracy 0.852 (seeds 1, 2: 0.845, 0.856). The full-size run
  // (H=64, T=100, lr 1e-3) reaches 0.93 by step 1000; see the issue's acceptance notes.
  TrainOptions o = notebookRun(300);
  o.run.modelFile = std::string(MNEMO_SOURCE_DIR) + "/examples/gru.mnemo";
  o.run.modelSource = readText(o.run.modelFile);
  o.run.lr = 1e-2;
  TrainResult r = train(o);
  CHECK(r.loss.front() > 0.5);
  CHECK(r.runningLoss < 0.025);
  CHECK(r.runningAccuracy > 0.75);
  CHECK(r.finalParams.size() == 3 * (2 * 32 + 32 * 32 + 32) + 32 + 32 * 3 + 3);
}

TEST_CASE("unfused training follows the fused loss trajectory within float tolerance", "[train]") {
  TrainOptions fusedRun = notebookRun(30);
  TrainOptions unfusedRun = notebookRun(30);
  unfusedRun.fuse = false;
  TrainResult fused = train(fusedRun), unfused = train(unfusedRun);
  CHECK(unfused.kernelsPerStep > fused.kernelsPerStep);
  REQUIRE(unfused.loss.size() == fused.loss.size());
  for (size_t i = 0; i < fused.loss.size(); ++i) {
    INFO("step " << i + 1);
    CHECK(unfused.loss[i] == Approx(fused.loss[i]).epsilon(1e-4));
  }
  REQUIRE(unfused.finalParams.size() == fused.finalParams.size());
  double worst = 0;
  for (size_t i = 0; i < fused.finalParams.size(); ++i)
    worst = std::max(worst, static_cast<double>(std::abs(unfused.finalParams[i] - fused.finalParams[i])));
  CHECK(worst < 1e-3);
}

TEST_CASE("train() rejects bad settings before touching the run directory", "[train]") {
  TempDir dir("settings");
  TrainOptions o = notebookRun(0);
  o.outDir = dir / "run";
  CHECK(errorOf(o) == "--steps must be at least 1, got 0");
  o.run.steps = 5;
  o.run.lr = -1;
  CHECK(errorOf(o) == "--lr must be a positive number, got -1");
  o.run.lr = std::nan("");
  CHECK(errorOf(o).rfind("--lr must be a positive number", 0) == 0);
  o.run.lr = 1e-3;
  o.checkpointEvery = 0;
  CHECK(errorOf(o) == "--checkpoint-every must be at least 1, got 0");
  o.checkpointEvery = 500;
  o.initCheckpoint = dir / "missing.npz";
  CHECK(errorOf(o) == "checkpoint " + (dir / "missing.npz") + " does not exist");
  CHECK_FALSE(fs::exists(dir.path / "run"));
}
