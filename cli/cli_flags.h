// Command-line flags and values shared by the subcommands in cli/cmd_*.cpp: the flags that
// size a model (--batch, --seq-len, --hidden, --size NAME=V, --set NAME=V), those of a command
// that reads a checkpoint (--checkpoint, --out, --set, --feed) and the --seed value. Header-only
// because it needs Boost.Program_options, which only the `mnemo` executable links; library code
// uses ModelSizing (graph_source.h).
#pragma once

#include <boost/program_options.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/dsl/parser.h"
#include "io/npz.h"
#include "training/checkpoint.h"
#include "training/graph_source.h"
#include "training/input_feeds.h"
#include "support/error.h"
#include "support/limits.h"
#include "support/text.h"

namespace mnemo {

/// Adds --max-memory (the memory limit every compiled graph is checked against, support/limits.h).
inline void addMemoryFlag(boost::program_options::options_description& opts) {
  namespace po = boost::program_options;
  opts.add_options()("max-memory", po::value<std::string>()->notifier([](const std::string& text) {
    setMemoryLimitBytes(parseByteSize(text, "--max-memory"));
  }), "memory a compiled graph may plan, e.g. 2G (default: the memory available now)");
}

/// Adds the sizing flags (and --max-memory) to \p opts, writing into \p sizing.
inline void addSizingFlags(boost::program_options::options_description& opts, ModelSizing& sizing) {
  namespace po = boost::program_options;
  addMemoryFlag(opts);
  opts.add_options()
      ("batch", po::value<int64_t>(&sizing.batch)->default_value(sizing.batch), "batch size B (model files)")
      ("seq-len", po::value<int64_t>(&sizing.seqLen)->default_value(sizing.seqLen), "sequence length T (model files)")
      ("hidden", po::value<int64_t>()->notifier([&sizing](int64_t h) { sizing.hidden = h; }),
       "hidden size: overrides the model's size H")
      ("size", po::value<std::vector<std::string>>(&sizing.sizes)->composing(),
       "NAME=VALUE: overrides any size the model declares (repeatable)")
      ("set", po::value<std::vector<std::string>>(&sizing.sets)->composing(),
       "NAME=VALUE: overrides a constant the model declares, e.g. --set tau=50 (repeatable)");
}

/// Records in \p sizing whether any sizing flag was given on the command line (call after
/// notify).
inline void noteSizingFlags(const boost::program_options::variables_map& vm, ModelSizing& sizing) {
  for (const char* flag : {"batch", "seq-len", "hidden", "size", "set"})
    if (vm.count(flag) && !vm[flag].defaulted()) sizing.given = true;
}

/// Refuses a flag given an empty value (--data "", --out "", --plot ""): from an unset shell
/// variable, say, it would otherwise fall back to the flag's default without a word (train on the
/// task instead of the file, write to runs/..., print instead of plot). Switches (--no-progress)
/// take no value and are skipped. Call after store.
inline void refuseEmptyValues(const boost::program_options::variables_map& vm,
                              const boost::program_options::options_description& opts) {
  for (const auto& [name, value] : vm) {
    if (value.defaulted() || name == "file") continue;  // a missing positional file is reported by the command
    const boost::program_options::option_description* flag = opts.find_nothrow(name, false);
    if (!flag || flag->semantic()->max_tokens() == 0) continue;
    const boost::any& held = value.value();
    bool empty = false;
    if (const auto* text = boost::any_cast<std::string>(&held)) empty = text->empty();
    if (const auto* list = boost::any_cast<std::vector<std::string>>(&held))
      for (const std::string& item : *list) empty = empty || item.empty();
    if (empty) MNEMO_FAIL("--" << name << " was given an empty value");
  }
}

/// Parses \p args against \p opts into \p vm; with \p file, one positional argument (a file
/// name) is accepted and stored there. \returns false when --help was asked for (the help is
/// printed); bad flags throw Boost's errors, which main reports as one line, and an empty value
/// is refused (refuseEmptyValues).
inline bool parseCommandLine(const std::vector<std::string>& args, const boost::program_options::options_description& opts,
                             boost::program_options::variables_map& vm, std::string* file = nullptr) {
  namespace po = boost::program_options;
  po::options_description all;
  all.add(opts);
  po::positional_options_description positional;
  if (file) {
    po::options_description hidden;
    hidden.add_options()("file", po::value<std::string>(file), "input file");
    all.add(hidden);
    positional.add("file", 1);
  }
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return false;
  }
  refuseEmptyValues(vm, all);
  po::notify(vm);
  return true;
}

/// The flags of a command that reads a trained checkpoint (`mnemo analyze`, `mnemo fixedpoints`).
struct CheckpointFlags {
  std::string checkpoint;  ///< --checkpoint
  std::string outDir;      ///< --out; the checkpoint's directory when not given
  std::vector<std::string> sets, feeds;  ///< --set NAME=VALUE, --feed NAME=SPEC
};

/// Adds --checkpoint, --out (\p outWhat says what goes there), --set and --feed.
inline void addCheckpointFlags(boost::program_options::options_description& opts, CheckpointFlags& flags,
                               const std::string& outWhat) {
  namespace po = boost::program_options;
  opts.add_options()("checkpoint", po::value(&flags.checkpoint), "the trained checkpoint (.npz written by mnemo train)")
      ("out", po::value(&flags.outDir), ("directory for " + outWhat + " (default: the checkpoint's)").c_str())
      ("set", po::value<std::vector<std::string>>(&flags.sets)->composing(),
       "NAME=VALUE: overrides a model constant (repeatable; default: the checkpoint's)")
      ("feed", po::value<std::vector<std::string>>(&flags.feeds)->composing(),
       "NAME=SPEC: feeds a further input (zeros, constant(v), normal(std)); default: the checkpoint's feeds");
}

/// Checks that --checkpoint was given and defaults --out to the checkpoint's directory (call
/// after notify, before loading).
inline void checkCheckpointFlags(CheckpointFlags& flags) {
  if (flags.checkpoint.empty()) MNEMO_FAIL("--checkpoint CKPT is required (a checkpoint.npz written by mnemo train)");
  if (flags.outDir.empty()) {
    flags.outDir = std::filesystem::path(flags.checkpoint).parent_path().string();
    if (flags.outDir.empty()) flags.outDir = ".";
  }
}

/// Loads --checkpoint with the --set and --feed overrides applied to its run configuration. A
/// --set naming no constant of the checkpoint's model is refused here, naming the checkpoint (it
/// would be blamed on the model file recorded in the checkpoint, which the user may not have).
inline Checkpoint loadCheckpointWithOverrides(const CheckpointFlags& flags) {
  Checkpoint ckpt = loadCheckpoint(flags.checkpoint);
  DslModel model;  // parsed (and checked) by loadCheckpoint; read here only for its constants
  if (!flags.sets.empty() && !ckpt.config.modelSource.empty())
    model = parseDsl(ckpt.config.modelSource, ckpt.config.modelFile);
  for (const std::string& text : flags.sets) {
    auto [name, value] = parseConstOverride(text);
    if (!ckpt.config.modelSource.empty() && !declaresName(model, DslDecl::Kind::Const, name))
      MNEMO_FAIL("--set " << text << ": the model of checkpoint " << flags.checkpoint << " ('" << model.name
                          << "') declares no constant '" << name << "' (its constants: "
                          << declaredNames(model, DslDecl::Kind::Const) << ")");
    ckpt.config.consts.insert_or_assign(name, value);
  }
  for (const std::string& text : flags.feeds) {
    auto [name, spec] = parseFeedFlag(text);
    ckpt.config.feeds.insert_or_assign(name, spec);
  }
  return ckpt;
}

/// Refuses an output file \p path (given as \p flag) that holds a training checkpoint, an .npz with
/// mnemo's config_json and step arrays: an export or gradient file written over a run's checkpoint
/// (a slip of --out) would lose the run. Any other file there is replaced, as an output is.
inline void refuseCheckpointAsOutput(const std::string& path, const std::string& flag) {
  if (outputKind(path) != OutputKind::Regular) return;
  std::vector<std::string> names;  // the archive's directory only: an earlier export may be gigabytes
  try {
    names = readNpzNames(path);
  } catch (const Error&) {
    return;  // not an archive mnemo reads: no checkpoint
  }
  auto has = [&](const char* name) { return std::find(names.begin(), names.end(), name) != names.end(); };
  if (has("config_json") && has("step"))
    MNEMO_FAIL(flag << " " << path << " holds a training checkpoint; it is not replaced by this output: choose another " << flag);
}

/// The text of the --model file \p path; throws a one-line mnemo::Error if it cannot be opened or
/// is an IR graph (parsed as a model it failed at "1:1: unexpected character").
inline std::string readModelText(const std::string& path) {
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".gir") == 0)
    MNEMO_FAIL("--model " << path << ": an IR graph (.gir), not a model; train and grad take model files (.mnemo)");
  return readFileText(path, "--model " + path);
}

/// A --seed value: a non-negative integer that fits 64 bits ("-1" is refused, not wrapped).
inline uint64_t parseSeed(const std::string& text) {
  if (text.empty() || text[0] == '-' || text[0] == '+')
    MNEMO_FAIL("bad --seed '" << text << "': expected a non-negative integer");
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) MNEMO_FAIL("bad --seed '" << text << "': expected a non-negative integer");
  return v;
}

}  // namespace mnemo
