// What feeds a model's inputs during a run. The first declared input is the task's (or the
// --data file's) observations; every further input is fed either by the --data file, from an
// array "input/<name>" of shape [N, <the input's dims>] (batch k of the file uses row k, cycled
// with the file's batches), or by a feed named on the command line, `--feed NAME=SPEC`, with
// SPEC one of
//   zeros            all zeros, every batch
//   constant(v)      every element v
//   normal(std)      fresh Gaussian noise N(0, std^2) every batch, seeded by the run's seed
// An input that nothing feeds is an error naming it (it is never silently left at zero), and so
// is a feed for a name that is not a further input of the model, or an input fed twice.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "frontend/dsl/model.h"
#include "io/npz.h"
#include "runtime/session.h"
#include "tasks/rng.h"

namespace mnemo {

/// "NAME=SPEC" of --feed, split and checked (SPEC as above); throws mnemo::Error otherwise.
std::pair<std::string, std::string> parseFeedFlag(const std::string& text);

/// The feeds of one compiled model: writes every input after the first into a session.
class InputFeeds {
 public:
  /// Checks \p feeds (input name -> SPEC) and the "input/<name>" arrays of \p dataFile (if not
  /// empty) against \p model's inputs; \p firstFedBy says what feeds the first input, for the
  /// error message ("task DelayComparison-v0").
  InputFeeds(const Model& model, const std::map<std::string, std::string>& feeds, uint64_t seed,
             const std::string& firstFedBy, const std::string& dataFile = "");
  /// Writes this batch's values of every further input into \p s (call once per batch).
  void feed(Session& s);

 private:
  struct Feed {
    std::string input;
    char kind;  // 'c' constant (zeros included), 'n' normal, 'd' rows of a --data array
    double value;
    std::vector<float> buffer;  // this batch's values ('d': every row of the array)
    int64_t rows = 1, at = 0;   // 'd': the array's rows and the next one
  };
  static Feed dataFeed(const std::string& name, const Dims& dims, const NpzArchive& data, const std::string& dataFile);
  std::vector<Feed> feeds_;
  Rng rng_;
};

}  // namespace mnemo
