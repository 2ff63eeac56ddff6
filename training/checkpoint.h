// Checkpoints: a .npz archive NumPy reads directly — every persistent leaf of the training graph
// (Graph::persistentLeaves): the parameters ("param/<name>") and the optimizer's state, whatever
// the optimizer ("state/<name>", e.g. state/w_ir.m for Adam's first moment of w_ir), the step
// ("step", int64) and the run's configuration as JSON text ("config_json", uint8). Writes are
// atomic (temporary file, then rename), so an interrupted write never leaves a damaged checkpoint.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "training/run_config.h"
#include "graph/types.h"

namespace mnemo {

/// A tensor with its shape, as stored in a checkpoint.
struct StoredTensor {
  Dims dims;
  std::vector<float> values;
};

struct Checkpoint {
  RunConfig config;
  int64_t step = 0;  ///< optimizer steps taken
  /// By graph value name: the params, and the optimizer states (the `opt_state` leaves).
  std::map<std::string, StoredTensor> params, state;
};

/// The values stored as \p name in \p tensors (params or state), checked to have the model's
/// \p dims; throws a one-line mnemo::Error naming the checkpoint \p path and the graph value
/// \p target (e.g. w_ir, or w_ir.m for its Adam moment) when they are missing or shaped for
/// other sizes.
const std::vector<float>& storedValues(const std::map<std::string, StoredTensor>& tensors, const std::string& name,
                                       const std::string& target, const Dims& dims, const std::string& path);

/// Writes \p ckpt to \p path atomically.
void saveCheckpoint(const std::string& path, const Checkpoint& ckpt);
/// Reads a checkpoint; a missing, truncated or corrupt file, or one without mnemo's arrays, is a
/// one-line mnemo::Error naming the file and the problem.
Checkpoint loadCheckpoint(const std::string& path);

}  // namespace mnemo
