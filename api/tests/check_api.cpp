// ctest api_check: the public C++ API (include/mnemo/) used as an embedding program uses it,
// linked against libmnemo only, so the sanitizer build checks it too (the Python tests, which
// cover the same ground from Python, do not run there). Oracles: train() against a
// TrainingSession fed the Dataset's batches (the same losses bit for bit), a checkpoint written and
// read back, the documented shapes, and the one-line errors for bad input.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include "mnemo/mnemo.h"

using namespace mnemo::api;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what.c_str());
    ++failures;
  }
}

/// \p fn must throw a one-line std::runtime_error containing \p needle.
void checkThrows(const std::function<void()>& fn, const std::string& needle, const std::string& what) {
  try {
    fn();
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    check(message.find(needle) != std::string::npos && message.find('\n') == std::string::npos,
          what + ": message '" + message + "' should hold '" + needle + "' on one line");
    return;
  }
  check(false, what + ": no error");
}

}  // namespace

int main() {
  // The data: the notebook's task and sizes.
  Dataset data("DelayComparison-v0", 16, 100, 0);
  check(data.observations() == 2 && data.actions() == 3, "DelayComparison-v0 has 2 inputs and 3 actions");
  Batch first = data.next();
  check(first.inputs.dtype == DType::Float32 && first.inputs.shape == std::vector<int64_t>{100, 16, 2}, "inputs [100,16,2] f32");
  check(first.labels.dtype == DType::Int64 && first.labels.shape == std::vector<int64_t>{100, 16}, "labels [100,16] i64");

  // train() and a session fed the same batches take the same steps.
  TrainSettings settings;
  settings.steps = 4;
  TrainOutcome out = train(Model::notebook(), settings);
  check(out.history.steps == std::vector<int64_t>{1, 2, 3, 4}, "history steps 1..4");
  TrainingSession session(Model::notebook(), settings);
  Dataset again("DelayComparison-v0", 16, 100, 0);
  for (int i = 0; i < 4; ++i) {
    Batch b = again.next();
    const double loss = session.step(b.inputs.ref(), b.labels.ref());
    check(static_cast<float>(loss) == static_cast<float>(out.history.loss[i]), "step " + std::to_string(i + 1) + " loss as train()'s");
  }
  auto trained = out.model.params(), stepped = session.snapshot().params();
  check(trained.size() == 5 && trained.size() == stepped.size(), "five params");
  for (const auto& [name, a] : trained) check(a.bytes == stepped[name].bytes, "param " + name + " as train()'s");

  // A checkpoint round trip, and trials from it.
  const std::string path = (std::filesystem::temp_directory_path() / "mnemo_api_check.npz").string();
  out.model.save(path);
  TrainedModel loaded = TrainedModel::load(path);
  std::filesystem::remove(path);
  check(loaded.step() == 4 && loaded.task() == "DelayComparison-v0", "the checkpoint keeps step and task");
  for (const auto& [name, a] : loaded.params()) check(a.bytes == trained[name].bytes, "loaded param " + name);
  Trials trials = runTrials(loaded, 5, 0);
  const Array& hidden = trials["hidden"];
  check(hidden.shape.size() == 2 && hidden.shape[1] == 64, "hidden is [S, 64]");
  check(trials["trial_start"].shape == std::vector<int64_t>{5}, "five trial starts");

  // The optimized graph as text.
  CompileOptions small;
  small.batch = 2;
  small.seqLen = 3;
  small.train = false;
  check(Model::notebook().graphText(small).find("graph @rnn") != std::string::npos, "IR text of the notebook model");
  check(Model::notebook().graphText(small, GraphFormat::Dot).rfind("digraph", 0) == 0, "DOT of the notebook model");

  // Bad input: one line each.
  checkThrows([] { Dataset("NoSuchTask-v0"); }, "NoSuchTask-v0", "unknown task");
  checkThrows([] { Model::fromText("model m\nsize H = \n", "bad.mnemo"); }, "bad.mnemo:", "bad model text");
  checkThrows([] { Model::fromFile("/no/such/file.mnemo"); }, "/no/such/file.mnemo", "missing model file");
  checkThrows([&] { session.step(first.labels.ref(), first.labels.ref()); }, "inputs: expected float32", "wrong dtype");
  Array wide = Array::of(DType::Float32, {100, 16, 3}, std::vector<float>(100 * 16 * 3));
  checkThrows([&] { session.step(wide.ref(), first.labels.ref()); }, "(100, 16, 3)", "wrong shape");
  checkThrows([&] { runTrials(loaded, 0); }, "count", "no trials");
  checkThrows([] { TrainedModel::load("/no/such/checkpoint.npz"); }, "/no/such/checkpoint.npz", "missing checkpoint");
  TrainSettings nan = settings;
  nan.lr = 1e30;
  nan.steps = 50;
  checkThrows([&] { train(Model::notebook(), nan); }, "training stopped", "a diverging run");

  std::printf("mnemo %s API check: %s\n", version(), failures ? "FAILED" : "all passed");
  return failures ? 1 : 0;
}
