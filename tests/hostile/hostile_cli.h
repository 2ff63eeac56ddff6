// Helpers of the hostile-input CLI tests (tests/hostile/): the one-line-error check, a tiny
// `mnemo train`, and a trained checkpoint rewritten by an edit (its arrays or its config JSON).
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "../cli_runner.h"
#include "io/npz.h"

namespace mnemo::testing {

inline const std::string kExamples = std::string(MNEMO_SOURCE_DIR) + "/examples";
inline const std::vector<std::string> kTiny = {"--hidden", "8", "--seq-len", "20", "--batch", "4"};

/// stderr without the notebook preset's timing warning (printed whenever the task is built).
inline std::string errLines(const CliResult& r) {
  return std::regex_replace(r.err, std::regex("mnemo: warning: timing entry [^\n]*\n"), "");
}

/// Checks that \p r failed with exactly one stderr line containing every one of \p parts.
inline void checkOneLineError(const CliResult& r, const std::vector<std::string>& parts) {
  std::string err = errLines(r);
  INFO(err);
  CHECK(r.code != 0);
  CHECK(r.code != -1);  // exited, not killed by a signal
  CHECK(lineCount(err) == 1);
  for (const std::string& p : parts) CHECK(err.find(p) != std::string::npos);
}

/// `mnemo train --out OUT` on the tiny notebook RNN (H 8, T 20, B 4) unless \p tiny is false.
inline CliResult train(const std::string& out, std::vector<std::string> more, bool tiny = true) {
  std::vector<std::string> args = {"train", "--no-progress", "--out", out};
  if (tiny) args.insert(args.end(), kTiny.begin(), kTiny.end());
  args.insert(args.end(), more.begin(), more.end());
  return runMnemo(args);
}

inline void writeText(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

/// A trained tiny checkpoint in \p dir (trained once, in dir/run), rewritten by \p edit.
inline std::string editedCheckpoint(const TempDir& dir, const std::function<void(NpzArchive&)>& edit) {
  if (!std::filesystem::exists(dir / "run/checkpoint.npz")) REQUIRE(train(dir / "run", {"--steps", "2"}).code == 0);
  NpzArchive npz = readNpz(dir / "run/checkpoint.npz");
  edit(npz);
  std::string path = dir / "edited.npz";
  writeNpz(path, npz);
  return path;
}

/// Replaces the first \p from in \p npz's config JSON by \p to.
inline void replaceConfig(NpzArchive& npz, const std::string& from, const std::string& to) {
  std::vector<uint8_t> raw = npz.get("config_json").values<uint8_t>();
  std::string json(raw.begin(), raw.end());
  size_t at = json.find(from);
  REQUIRE(at != std::string::npos);
  json.replace(at, from.size(), to);
  npz.add("config_json", NpyArray::from<uint8_t>({static_cast<int64_t>(json.size())},
                                                 reinterpret_cast<const uint8_t*>(json.data())));
}

}  // namespace mnemo::testing
