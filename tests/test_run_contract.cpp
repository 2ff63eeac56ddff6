// The model-run contract, through the `mnemo` executable: the task binds the model's sizes I and
// O unless the run sets them (and a mismatch names the size and why), every declared input is fed
// or the run stops naming it, --set overrides a model constant and is kept in config.json for
// resume and analyze, `mnemo analyze --state` picks the state, activity.npz holds every state,
// and `mnemo grad` writes a batch's loss and gradients.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "cli_runner.h"
#include "training/checkpoint.h"
#include "io/npz.h"

using namespace mnemo;
using testing::runMnemo;
using testing::TempDir;

namespace {

const std::string kExamples = std::string(MNEMO_SOURCE_DIR) + "/examples/";

/// The first-step loss in a run directory's metrics.csv.
double firstLoss(const std::string& dir) {
  std::ifstream in(dir + "/metrics.csv");
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  REQUIRE(row.find(',') != std::string::npos);
  const std::string rest = row.substr(row.find(',') + 1);
  return std::stod(rest.substr(0, rest.find(',')));
}

/// The last line of \p text (after the task's timing warning, if any).
std::string lastLine(const std::string& text) {
  const size_t end = text.size() && text.back() == '\n' ? text.size() - 1 : text.size();
  const size_t start = text.rfind('\n', end ? end - 1 : 0);
  return text.substr(start == std::string::npos || start >= end ? 0 : start + 1);
}

void writeText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

/// The notebook model with a second input, `noise`, added to the recurrent drive.
const char* kTwoInputs =
    "model noisy\nsize I = 2, H = 8, O = 3\ninput x : f32[T, B, I]\ninput noise : f32[T, B, H]\n"
    "target labels : i64[T, B]\nparam w_ir : [I, H] = kaiming_normal(1)\nparam w_rr : [H, H] = kaiming_normal(1)\n"
    "param w_ro : [H, O] = kaiming_normal(1)\nstate h : [B, H] = zeros\nstep t {\n"
    "  h = tanh(x[t] @ w_ir + h @ w_rr + noise[t])\n  out o = h @ w_ro\n}\nloss = cross_entropy(o, labels)\n";

}  // namespace

TEST_CASE("contract: the task binds I and O, the default model trains on PerceptualDecisionMaking-v0", "[contract][cli]") {
  TempDir dir("contract_bind");
  auto r = runMnemo({"train", "--task", "PerceptualDecisionMaking-v0", "--steps", "3", "--seq-len", "20",
                     "--no-progress", "--out", dir / "run"});
  REQUIRE(r.code == 0);
  CHECK(r.err.find("error") == std::string::npos);
  CHECK(testing::readFile(dir / "run/config.json").find("\"size.I\": 3") != std::string::npos);
  // The checkpoint's config rebuilds the same model: resume and analyze work without flags.
  CHECK(runMnemo({"train", "--init", dir / "run/checkpoint.npz", "--steps", "2", "--no-progress", "--out", dir / "run"})
            .code == 0);
  CHECK(runMnemo({"analyze", "--checkpoint", dir / "run/checkpoint.npz", "--trials", "3"}).code == 0);

  SECTION("a size set by the run that does not fit the task is named, with the reason") {
    auto bad = runMnemo({"train", "--task", "PerceptualDecisionMaking-v0", "--size", "I=2", "--steps", "1",
                         "--no-progress", "--out", dir / "bad"});
    CHECK(bad.code != 0);
    CHECK(bad.err ==
          "mnemo train: task PerceptualDecisionMaking-v0 has 3 input channels but the model's input 'x' is "
          "f32[100,16,2]: size I = 2 is set by the run (--size I=2, or the config of the checkpoint resumed); drop it "
          "to let the task bind I\n");
    auto out = runMnemo({"train", "--size", "O=4", "--steps", "1", "--no-progress", "--out", dir / "bad"});
    CHECK(out.code != 0);
    CHECK(out.err.find("has 3 actions but the model's output 'o' is f32[100,16,4]: size O = 4 is set by the run") !=
          std::string::npos);
  }
  SECTION("a model whose input width is no size I says so") {
    writeText(dir / "fixed.mnemo",
              "model widthless\nsize H = 4\ninput x : f32[T, B, 2]\ntarget y : i64[T, B]\nparam w : [2, H] = zeros\n"
              "param v : [H, 3] = zeros\nstate h : [B, H] = zeros\nstep t {\n  h = tanh(x[t] @ w + h)\n  out o = h @ v\n}\n"
              "loss = cross_entropy(o, y)\n");
    auto bad = runMnemo({"train", "--model", dir / "fixed.mnemo", "--task", "PerceptualDecisionMaking-v0", "--steps", "1",
                         "--no-progress", "--out", dir / "bad"});
    CHECK(bad.code != 0);
    CHECK(bad.err.find("the model declares no size I for the task to bind") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir / "bad"));
}

TEST_CASE("contract: every declared input is fed, or the run stops naming it", "[contract][cli]") {
  TempDir dir("contract_feed");
  writeText(dir / "noisy.mnemo", kTwoInputs);
  auto unfed = runMnemo({"train", "--model", dir / "noisy.mnemo", "--steps", "1", "--no-progress", "--out", dir / "x"});
  CHECK(unfed.code != 0);
  CHECK(lastLine(unfed.err) ==
        "mnemo train: model 'noisy' declares input 'noise' but nothing feeds it: task DelayComparison-v0 feeds only the "
        "first input 'x'; give --feed noise=SPEC (zeros, constant(v) or normal(std))\n");
  CHECK_FALSE(std::filesystem::exists(dir / "x"));

  auto wrongName = runMnemo({"train", "--model", dir / "noisy.mnemo", "--feed", "nois=zeros", "--feed", "noise=zeros",
                             "--steps", "1", "--no-progress", "--out", dir / "x"});
  CHECK(wrongName.err.find("--feed nois: model 'noisy' has no further input 'nois' (its inputs after the first: noise)") !=
        std::string::npos);
  auto badSpec = runMnemo({"train", "--model", dir / "noisy.mnemo", "--feed", "noise=normal(-1)", "--steps", "1",
                           "--no-progress", "--out", dir / "x"});
  CHECK(badSpec.err.find("--feed noise=normal(-1): expected zeros, constant(v) or normal(std) with std >= 0") !=
        std::string::npos);

  // Fed with zeros the model is the noiseless one; noise changes the loss; the feed is recorded.
  auto zeros = runMnemo({"train", "--model", dir / "noisy.mnemo", "--feed", "noise=zeros", "--steps", "1",
                         "--no-progress", "--out", dir / "zeros"});
  auto noisy = runMnemo({"train", "--model", dir / "noisy.mnemo", "--feed", "noise=normal(0.5)", "--steps", "1",
                         "--no-progress", "--out", dir / "noisy"});
  REQUIRE(zeros.code == 0);
  REQUIRE(noisy.code == 0);
  CHECK(firstLoss(dir / "zeros") != firstLoss(dir / "noisy"));
  CHECK(testing::readFile(dir / "noisy/config.json").find("\"feed.noise\": \"normal(0.5)\"") != std::string::npos);
  CHECK(runMnemo({"analyze", "--checkpoint", dir / "noisy/checkpoint.npz", "--trials", "2"}).code == 0);

  // A resumed run continues the noise stream: steps 3-4 after a resume equal those of a straight run.
  auto run = [&](const std::vector<std::string>& extra, const std::string& out) {
    std::vector<std::string> args{"train", "--no-progress", "--out", dir / out};
    args.insert(args.end(), extra.begin(), extra.end());
    REQUIRE(runMnemo(args).code == 0);
    return testing::readFile(dir / (out + "/metrics.csv"));
  };
  const std::vector<std::string> noisyModel{"--model", dir / "noisy.mnemo", "--feed", "noise=normal(0.5)"};
  std::vector<std::string> four = noisyModel, two = noisyModel;
  four.insert(four.end(), {"--steps", "4"});
  two.insert(two.end(), {"--steps", "2"});
  const std::string straight = run(four, "straight");
  run(two, "half");
  const std::string resumed = run({"--init", dir / "half/checkpoint.npz", "--steps", "2"}, "resumed");
  const auto row = [](const std::string& csv, const std::string& step) {
    const size_t at = csv.find("\n" + step + ",");
    if (at == std::string::npos) return std::string("missing");
    const std::string line = csv.substr(at + 1, csv.find('\n', at + 1) - at - 1);
    return line.substr(0, line.find(',', line.find(',', line.find(',') + 1) + 1));  // step,loss,accuracy
  };
  CHECK(row(resumed, "3") == row(straight, "3"));
  CHECK(row(resumed, "4") == row(straight, "4"));
  CHECK(row(straight, "3") != "missing");
}

TEST_CASE("contract: a --data file feeds further inputs from its input/<name> arrays", "[contract][cli]") {
  TempDir dir("contract_data_feed");
  writeText(dir / "noisy.mnemo", kTwoInputs);
  REQUIRE(runMnemo({"task", "--export-batches", "2", "--out", dir / "plain.npz"}).code == 0);
  NpzArchive npz = readNpz(dir / "plain.npz");
  const std::vector<int64_t> shape{2, 100, 16, 8};
  npz.add("input/noise", NpyArray::from(shape, std::vector<float>(2 * 100 * 16 * 8, 0.0f)));
  writeNpz(dir / "zeros.npz", npz);
  std::vector<float> ramp(2 * 100 * 16 * 8);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = 0.001f * static_cast<float>(i % 997);
  NpzArchive rampNpz = readNpz(dir / "plain.npz");
  rampNpz.add("input/noise", NpyArray::from(shape, ramp));
  writeNpz(dir / "ramp.npz", rampNpz);

  auto train = [&](const std::vector<std::string>& extra, const std::string& out) {
    std::vector<std::string> args{"train", "--model", dir / "noisy.mnemo", "--steps", "3", "--no-progress", "--out", dir / out};
    args.insert(args.end(), extra.begin(), extra.end());
    return runMnemo(args);
  };
  REQUIRE(train({"--data", dir / "zeros.npz"}, "from_data").code == 0);
  REQUIRE(train({"--data", dir / "plain.npz", "--feed", "noise=zeros"}, "from_feed").code == 0);
  REQUIRE(train({"--data", dir / "ramp.npz"}, "ramp").code == 0);
  CHECK(testing::readFile(dir / "from_data/metrics.csv") == testing::readFile(dir / "from_feed/metrics.csv"));
  CHECK(firstLoss(dir / "ramp") != firstLoss(dir / "from_data"));

  auto unfed = train({"--data", dir / "plain.npz"}, "x");
  CHECK(lastLine(unfed.err).find("give --feed noise=SPEC (zeros, constant(v) or normal(std)) or an array 'input/noise' in " +
                                 (dir / "plain.npz")) != std::string::npos);
  auto twice = train({"--data", dir / "zeros.npz", "--feed", "noise=zeros"}, "x");
  CHECK(lastLine(twice.err).find("input 'noise' is fed twice") != std::string::npos);
  NpzArchive bad = readNpz(dir / "plain.npz");
  bad.add("input/noise", NpyArray::from({1, 100, 16, 8}, std::vector<float>(100 * 16 * 8)));
  writeNpz(dir / "bad.npz", bad);
  auto badShape = train({"--data", dir / "bad.npz"}, "x");
  CHECK(lastLine(badShape.err) == "mnemo train: --data " + (dir / "bad.npz") +
                                      ": array 'input/noise' is float32(1, 100, 16, 8), input 'noise' wants "
                                      "float32(2, 100, 16, 8) (one row per batch of its 'inputs')\n");
  CHECK_FALSE(std::filesystem::exists(dir / "x"));

  // Trials of the task carry no noise array: analyze names the input, and --feed supplies it.
  auto analyzed = runMnemo({"analyze", "--checkpoint", dir / "from_data/checkpoint.npz", "--trials", "2"});
  CHECK(analyzed.code != 0);
  CHECK(lastLine(analyzed.err).find("declares input 'noise' but nothing feeds it: task DelayComparison-v0 feeds only") !=
        std::string::npos);
  CHECK(runMnemo({"analyze", "--checkpoint", dir / "from_data/checkpoint.npz", "--trials", "2", "--feed", "noise=zeros"})
            .code == 0);
}

TEST_CASE("contract: --set overrides a constant in train, resume, analyze, dump and bench", "[contract][cli]") {
  TempDir dir("contract_set");
  const std::string model = kExamples + "leaky_tanh.mnemo";
  auto common = [&](const std::string& out) {
    return std::vector<std::string>{"train", "--model", model, "--steps", "1", "--seq-len", "20", "--hidden", "8",
                                    "--no-progress", "--out", dir / out};
  };
  auto plain = runMnemo(common("plain"));
  auto args = common("set");
  args.insert(args.end(), {"--set", "tau=40"});
  auto set = runMnemo(args);
  REQUIRE(plain.code == 0);
  REQUIRE(set.code == 0);
  CHECK(firstLoss(dir / "plain") != firstLoss(dir / "set"));
  CHECK(testing::readFile(dir / "set/config.json").find("\"const.tau\": 40") != std::string::npos);
  CHECK(loadCheckpoint(dir / "set/checkpoint.npz").config.consts == std::map<std::string, double>{{"tau", 40}});
  // Resuming keeps the override.
  REQUIRE(runMnemo({"train", "--init", dir / "set/checkpoint.npz", "--steps", "1", "--no-progress", "--out", dir / "resumed"})
              .code == 0);
  CHECK(testing::readFile(dir / "resumed/config.json").find("\"const.tau\": 40") != std::string::npos);
  CHECK(runMnemo({"analyze", "--checkpoint", dir / "set/checkpoint.npz", "--trials", "2", "--set", "tau=80"}).code == 0);

  // dump shows the folded constant: alpha = 20 / 40 = 0.5, so 1 - alpha = 0.5.
  auto dumped = runMnemo({"dump", model, "--seq-len", "1", "--batch", "1", "--hidden", "2", "--set", "tau=40"});
  auto dumpedPlain = runMnemo({"dump", model, "--seq-len", "1", "--batch", "1", "--hidden", "2"});
  REQUIRE(dumped.code == 0);
  CHECK(dumped.out != dumpedPlain.out);
  CHECK(dumped.out.find("0.5") != std::string::npos);
  CHECK(runMnemo({"bench", "--model", model, "--seq-len", "2", "--hidden", "4", "--set", "tau=40", "--steps", "1", "--warmup", "0"}).code ==
        0);

  auto bad = runMnemo({"train", "--model", model, "--set", "tau", "--steps", "1", "--no-progress", "--out", dir / "x"});
  CHECK(bad.err == "mnemo train: --set wants NAME=VALUE with a finite number VALUE, got 'tau'\n");
  auto unknown = runMnemo({"train", "--model", model, "--set", "tua=3", "--steps", "1", "--no-progress", "--out", dir / "x"});
  CHECK(unknown.err.find("constant override 'tua': model 'leaky_tanh' declares no constant 'tua' (its constants: dt, "
                         "tau, alpha)") != std::string::npos);
  CHECK(runMnemo({"analyze", "--checkpoint", dir / "set/checkpoint.npz", "--set", "x=nan"}).code != 0);
}

TEST_CASE("contract: analyze --state picks the state and activity.npz holds every state", "[contract][cli][analyze]") {
  TempDir dir("contract_state");
  REQUIRE(runMnemo({"train", "--model", kExamples + "lstm.mnemo", "--steps", "2", "--hidden", "4", "--no-progress",
                    "--out", dir / "run"})
              .code == 0);
  auto r = runMnemo({"analyze", "--checkpoint", dir / "run/checkpoint.npz", "--trials", "3", "--state", "c"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("Analysing state 'c'") != std::string::npos);
  NpzArchive npz = readNpz(dir / "run/activity.npz");
  REQUIRE(npz.has("state_h"));
  REQUIRE(npz.has("state_c"));
  const std::vector<float> hidden = npz.get("hidden").values<float>();
  CHECK(hidden == npz.get("state_c").values<float>());
  CHECK(hidden != npz.get("state_h").values<float>());
  CHECK(npz.get("state_h").shape == npz.get("hidden").shape);

  auto bad = runMnemo({"analyze", "--checkpoint", dir / "run/checkpoint.npz", "--trials", "3", "--state", "q"});
  CHECK(bad.code != 0);
  CHECK(bad.err == "mnemo analyze: --state q: the model of " + (dir / "run/checkpoint.npz") +
                       " has no state 'q' (its states: h, c)\n");
}

TEST_CASE("mnemo grad writes the first batch's loss and gradients, fused and unfused alike", "[contract][cli][grad]") {
  TempDir dir("contract_grad");
  const std::string model = kExamples + "gru.mnemo";
  auto fused = runMnemo({"grad", "--model", model, "--seq-len", "12", "--hidden", "6", "--out", dir / "f.npz"});
  auto unfused = runMnemo({"grad", "--model", model, "--seq-len", "12", "--hidden", "6", "--no-fuse", "--out", dir / "u.npz"});
  REQUIRE(fused.code == 0);
  REQUIRE(unfused.code == 0);
  NpzArchive f = readNpz(dir / "f.npz"), u = readNpz(dir / "u.npz");
  CHECK(f.get("param/w_hz").values<float>() == u.get("param/w_hz").values<float>());
  CHECK(f.get("labels").values<int64_t>() == u.get("labels").values<int64_t>());
  const float lf = f.get("loss").values<float>()[0], lu = u.get("loss").values<float>()[0];
  CHECK(lf == Approx(lu).epsilon(1e-5));
  size_t nonZero = 0;
  for (const char* p : {"w_iz", "w_hz", "b_z", "w_ir", "w_hr", "b_r", "w_in", "w_hn", "b_in", "b_hn", "w_ro", "b_ro"}) {
    const std::vector<float> gf = f.get(std::string("grad/") + p).values<float>();
    const std::vector<float> gu = u.get(std::string("grad/") + p).values<float>();
    REQUIRE(gf.size() == gu.size());
    float scale = 1e-6f;
    for (float g : gu) scale = std::max(scale, std::fabs(g));
    for (size_t i = 0; i < gf.size(); ++i) CHECK(std::fabs(gf[i] - gu[i]) <= 1e-3f * scale);
    for (float g : gu) nonZero += g != 0;
  }
  CHECK(nonZero > 100);
  // The loss is that of the first step `mnemo train` takes with the same flags.
  REQUIRE(runMnemo({"train", "--model", model, "--seq-len", "12", "--hidden", "6", "--steps", "1", "--no-fuse",
                    "--no-progress", "--out", dir / "run"})
              .code == 0);
  CHECK(firstLoss(dir / "run") == Approx(lu).epsilon(1e-5));  // metrics.csv keeps 6 digits
  CHECK(runMnemo({"grad", "--model", model}).err == "mnemo grad: --out FILE.npz is required\n");

  // With --steps 3 the first two steps train as mnemo train does: the losses match its metrics,
  // and the parameters written are those after two steps.
  REQUIRE(runMnemo({"grad", "--model", model, "--seq-len", "12", "--hidden", "6", "--steps", "3", "--no-fuse", "--out",
                    dir / "s3.npz"})
              .code == 0);
  REQUIRE(runMnemo({"train", "--model", model, "--seq-len", "12", "--hidden", "6", "--steps", "3", "--no-fuse",
                    "--no-progress", "--out", dir / "run3"})
              .code == 0);
  NpzArchive s3 = readNpz(dir / "s3.npz");
  const std::vector<float> losses = s3.get("losses").values<float>();
  REQUIRE(losses.size() == 3);
  CHECK(losses[0] == lu);
  CHECK(losses[2] == s3.get("loss").values<float>()[0]);
  CHECK(s3.get("param/w_hz").values<float>() != u.get("param/w_hz").values<float>());
  std::ifstream metrics(dir / "run3/metrics.csv");
  std::string line;
  std::getline(metrics, line);
  for (float l : losses) {
    std::getline(metrics, line);
    const std::string rest = line.substr(line.find(',') + 1);
    CHECK(std::stod(rest.substr(0, rest.find(','))) == Approx(l).epsilon(1e-5));
  }
}
