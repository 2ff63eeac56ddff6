#include "training/checkpoint.h"

#include <cmath>
#include <filesystem>

#include "frontend/dsl/parser.h"
#include "training/batch_source.h"
#include "support/error.h"
#include "support/limits.h"
#include "io/npz.h"

namespace mnemo {

namespace {
const char* kParam = "param/";
const char* kState = "state/";

void addAll(NpzArchive& npz, const char* prefix, const std::map<std::string, StoredTensor>& tensors) {
  for (const auto& [name, t] : tensors)
    npz.add(prefix + name, NpyArray::from<float>(std::vector<int64_t>(t.dims.begin(), t.dims.end()), t.values));
}
/// Every size and constant override a checkpoint's config stores ("size.H", "const.tau") names one
/// its model text declares: an unknown one is the checkpoint's fault, not the model file's.
void checkStoredOverrides(const RunConfig& config, const DslModel& model, const std::string& what) {
  auto check = [&](DslDecl::Kind kind, const std::string& key, const std::string& name, const char* kindName) {
    if (declaresName(model, kind, name)) return;
    MNEMO_FAIL(what << "config \"" << key << "\" names no " << kindName << " of its model '" << model.name
                    << "' (its " << kindName << "s: " << declaredNames(model, kind) << ")");
  };
  for (const auto& entry : config.sizes) check(DslDecl::Kind::Size, "size." + entry.first, entry.first, "size");
  for (const auto& entry : config.consts) check(DslDecl::Kind::Const, "const." + entry.first, entry.first, "constant");
}

/// The run a checkpoint records drives how long a resumed run replays and unrolls: bound it by
/// the same limits as the flags, and parse its model text here so a broken one is blamed on the
/// checkpoint rather than on the file name recorded inside it.
void checkStoredRun(const Checkpoint& ckpt, const std::string& path) {
  const std::string what = "checkpoint " + path + ": ";
  if (ckpt.step < 0 || ckpt.step > limits::kMaxTrainingSteps)
    MNEMO_FAIL(what << "step " << ckpt.step << " is outside [0, " << limits::kMaxTrainingSteps << "] (the limit)");
  checkCount(ckpt.config.seqLen, limits::kMaxSequenceLength, what + "seq_len");
  checkCount(ckpt.config.batch, limits::kMaxDimension, what + "batch");
  checkCount(ckpt.config.steps, limits::kMaxTrainingSteps, what + "steps");
  for (const auto& [name, value] : ckpt.config.sizes) checkCount(value, limits::kMaxDimension, what + "size." + name);
  try {  // an unknown task was reported as if given on the command line
    runTask(ckpt.config, /*quiet=*/true);
  } catch (const Error& e) {
    MNEMO_FAIL(what << "config \"task\": " << e.what());
  }
  if (ckpt.config.modelSource.empty()) return;
  DslModel model;
  try {
    model = parseDsl(ckpt.config.modelSource, ckpt.config.modelFile);
  } catch (const Error& e) {
    MNEMO_FAIL(what << "its model text (from " << ckpt.config.modelFile << ") is broken: " << e.what());
  }
  checkStoredOverrides(ckpt.config, model, what);
}
}  // namespace

const std::vector<float>& storedValues(const std::map<std::string, StoredTensor>& tensors, const std::string& name,
                                       const std::string& target, const Dims& dims, const std::string& path) {
  auto it = tensors.find(name);
  if (it == tensors.end()) MNEMO_FAIL("checkpoint " << path << " has no values for %" << target);
  if (it->second.dims != dims)
    MNEMO_FAIL("checkpoint " << path << ": %" << target << " is " << dimsStr(it->second.dims) << ", the model wants "
                             << dimsStr(dims) << " (was it trained with other sizes?)");
  return it->second.values;
}

void saveCheckpoint(const std::string& path, const Checkpoint& ckpt) {
  NpzArchive npz(path);
  addAll(npz, kParam, ckpt.params);
  addAll(npz, kState, ckpt.state);
  npz.add("step", NpyArray::scalar<int64_t>(ckpt.step));
  std::string json = ckpt.config.toJson();
  npz.add("config_json", NpyArray::from<uint8_t>({static_cast<int64_t>(json.size())},
                                                 reinterpret_cast<const uint8_t*>(json.data())));
  writeNpz(path, npz);
}

Checkpoint loadCheckpoint(const std::string& path) {
  if (!std::filesystem::exists(path)) MNEMO_FAIL("checkpoint " << path << " does not exist");
  if (std::filesystem::is_directory(path))
    MNEMO_FAIL("checkpoint " << path << " is a directory; give the checkpoint.npz in it");
  NpzArchive npz;
  try {
    npz = readNpz(path);
  } catch (const Error& e) {
    MNEMO_FAIL("checkpoint " << path << " cannot be read (truncated or corrupt?): " << e.what());
  }
  if (!npz.has("config_json") || !npz.has("step"))
    MNEMO_FAIL("checkpoint " << path << " is not a mnemo checkpoint (no config_json/step arrays)");
  Checkpoint ckpt;
  std::vector<uint8_t> json = npz.get("config_json", NpyType::UInt8).values<uint8_t>();
  ckpt.config = RunConfig::fromJson(std::string(json.begin(), json.end()), "checkpoint " + path);
  ckpt.step = npz.get("step", NpyType::Int64, {}, true).values<int64_t>()[0];
  checkStoredRun(ckpt, path);
  for (const std::string& name : npz.names()) {
    std::map<std::string, StoredTensor>* into = nullptr;
    std::string rest;
    for (auto [prefix, map] : {std::pair{kParam, &ckpt.params}, {kState, &ckpt.state}}) {
      if (name.rfind(prefix, 0) == 0) into = map, rest = name.substr(std::string(prefix).size());
    }
    // Checkpoints written before the optimizer state was generic kept Adam's moments of %p as
    // adam_m/p and adam_v/p, the states the Adam pass names %p.m and %p.v.
    for (auto [prefix, suffix] : {std::pair{"adam_m/", ".m"}, {"adam_v/", ".v"}}) {
      if (name.rfind(prefix, 0) == 0) into = &ckpt.state, rest = name.substr(std::string(prefix).size()) + suffix;
    }
    if (!into) continue;
    const NpyArray& a = npz.get(name, NpyType::Float32);
    StoredTensor& stored = (*into)[rest] = StoredTensor{Dims(a.shape.begin(), a.shape.end()), a.values<float>()};
    // Training never saves a NaN or an infinity (it stops first): one here is damage, which would
    // make analyze and fixedpoints report on a broken network without a word.
    for (size_t i = 0; i < stored.values.size(); ++i)
      if (!std::isfinite(stored.values[i]))
        MNEMO_FAIL("checkpoint " << path << ": " << name << " holds " << stored.values[i] << " at element " << i
                                 << " (a trained checkpoint holds finite numbers only)");
  }
  if (ckpt.params.empty()) MNEMO_FAIL("checkpoint " << path << " holds no parameters");
  return ckpt;
}

}  // namespace mnemo
