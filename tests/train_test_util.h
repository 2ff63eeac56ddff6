// Shared by the training tests: the notebook's model at test size as a TrainOptions.
#pragma once

#include "frontend/dsl/model.h"
#include "training/trainer.h"

namespace mnemo::testing {

/// The notebook's RNN at test size: H=32, T=50, B=16, Adam lr 5e-3.
inline TrainOptions notebookRun(int64_t steps, uint64_t seed = 0) {
  TrainOptions o;
  o.run.modelSource = notebookModelSource();
  o.run.modelFile = kNotebookModelFile;
  o.run.batch = 16;
  o.run.seqLen = 50;
  o.run.sizes["H"] = 32;
  o.run.lr = 5e-3;
  o.run.seed = seed;
  o.run.steps = steps;
  return o;
}

}  // namespace mnemo::testing
