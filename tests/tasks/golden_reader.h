// Test helpers for the neurogym reference files (../shared/golden/neurogym*/): they hold numeric
// arrays, which io/npz reads, but also unicode-string arrays (JSON text) and bool arrays, which
// mnemo's reader rejects. GoldenArchive reads all three kinds; Json is a minimal JSON reader for
// the trial-info strings.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/npz.h"

namespace mnemo::golden {

/// A parsed JSON value (objects keep their key order).
struct Json {
  enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
  bool boolean = false;
  double number = 0;
  std::string text;  ///< String value, or a number's source text
  std::vector<Json> items;                          ///< Array
  std::vector<std::pair<std::string, Json>> fields;  ///< Object, in order

  /// Parses `text`; throws mnemo::Error at the first syntax error.
  static Json parse(const std::string& text);
  /// The field `key` of an object (nullptr if absent).
  const Json* find(const std::string& key) const;
};

/// The arrays of one reference .npz: numeric ones as NpyArray, '<U' ones as strings, '|b1' ones
/// as 0/1 bytes.
struct GoldenArchive {
  std::string path;
  NpzArchive numeric;
  std::map<std::string, std::vector<std::string>> strings;
  std::map<std::string, std::vector<uint8_t>> bools;

  /// The string array `name` (a 0-d array gives one element); throws if missing.
  const std::vector<std::string>& str(const std::string& name) const;
};

/// Reads a reference .npz; throws mnemo::Error naming the file and member on any problem.
GoldenArchive readGolden(const std::string& path);

/// The directory of the neurogym reference files named `leaf` ("neurogym" or "neurogym-yang19"):
/// $MNEMO_NEUROGYM_GOLDEN/<leaf> if set, else the first existing of <source>/../shared/golden,
/// <source>/../../shared/golden and /work/shared/golden. Empty if none exists.
std::string goldenDir(const std::string& leaf);

}  // namespace mnemo::golden
