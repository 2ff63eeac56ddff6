// The effective weights of a trained model: what its connections are after the model's own
// constraints, as opposed to the raw params a checkpoint stores. A Dale network trains a raw
// w_rr and uses w_rec = abs(w_rr) * sign; a masked one uses w_rr * mask. Every top-level derived
// tensor of the model file (`name = expr` outside the step) that depends on params and fixed
// tensors only (no input, state or noise) is such a weight; its value is computed in double by
// the reference evaluator from the checkpoint's params and the fixed tensors' initialisers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "training/checkpoint.h"
#include "graph/types.h"

namespace mnemo {

struct EffectiveWeight {
  Dims dims;
  std::vector<double> values;       ///< row-major
  std::vector<std::string> params;  ///< the trained params it is computed from
};

/// Every effective weight of \p ckpt's model, by its name in the model file.
std::map<std::string, EffectiveWeight> effectiveWeights(const Checkpoint& ckpt);

/// The values of fixed tensor \p name of \p ckpt's model (rebuilt from its initialiser and the
/// run's seed, as training built it); throws if the model has no such fixed tensor.
std::vector<float> fixedTensorValues(const Checkpoint& ckpt, const std::string& name);

}  // namespace mnemo
