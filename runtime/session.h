// The runtime's user-facing API: compile a graph once for its shapes, bind inputs, read and write
// parameters and state by name, run the fwd stage alone or a whole training step (fwd, bwd, Adam)
// that returns the loss. Parameters, Adam moments and hyper-parameters live in the session
// between steps.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/executable.h"

namespace mnemo {

class Session {
 public:
  /// Compiles \p g, which must outlive the session.
  explicit Session(const Graph& g, const CompileOptions& opts = {});

  /// Writes \p count f32 values into input, param or state \p name (count must match its type).
  void setF32(const std::string& name, const float* data, size_t count);
  void setF32(const std::string& name, const std::vector<float>& data) { setF32(name, data.data(), data.size()); }
  /// Writes integer labels into i64 input \p name.
  void setI64(const std::string& name, const int64_t* data, size_t count);
  void setI64(const std::string& name, const std::vector<int64_t>& data) { setI64(name, data.data(), data.size()); }
  /// Reads an f32 leaf or graph output (intermediate values are not kept; asking is an error).
  std::vector<float> getF32(const std::string& name) const;
  const float* f32(const std::string& name) const;

  /// Sets the Adam hyper-parameters of every adam_update (lr, beta1, beta2, eps) and resets the
  /// step counter to \p step (the next training step is step + 1).
  void setAdam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, int64_t step = 0);
  /// Binds every optimizer hyper-parameter state (marked `hyper`) to \p values, the optimizer's
  /// own layout ending with the step counter (sgdHyper, adamHyper); the next step is t + 1. A
  /// state with one row per member ([K, width], an ensemble's) gets the row in every row, or
  /// \p values as they are if they are the whole table.
  void setHyper(const std::vector<double>& values);
  /// Changes the learning rate (the first hyper-parameter of every optimizer, in every row)
  /// without recompiling.
  void setLearningRate(double lr);
  /// Member k's learning rate \p lrs[k], for a graph whose optimizer holds one hyper row per
  /// member (CompileSettings::optimizerRows); throws unless there are as many rows as rates.
  void setLearningRates(const std::vector<double>& lrs);
  /// Sets every random-draw state (the i64[2] seed operand of random_normal/random_uniform) to
  /// [seed, counter]; trainStep advances the counter by one, so each step draws afresh.
  void setRandomSeed(int64_t seed, int64_t counter = 0);
  /// True if the graph draws random numbers.
  bool drawsRandom() const { return !rngStates_.empty(); }
  /// The number of Adam steps taken so far.
  int64_t step() const;

  /// Runs the fwd stage only.
  void forward() { exe_.run(Stage::Fwd); }
  /// Advances the Adam step counter and runs fwd, bwd and opt; \returns the graph's first output
  /// (the loss), computed with the parameters before the update.
  float trainStep();
  /// trainStep in two halves, for a caller that changes the gradients in between (data-parallel
  /// training averages them over ranks): fwd and bwd, \returns the loss ...
  float computeGradients();
  /// ... then the step counter and the opt stage.
  void applyUpdate();

  Executable& executable() { return exe_; }
  const Graph& graph() const { return g_; }

 private:
  Node* leafOrOutput(const std::string& name, bool forWrite) const;
  void checkHyperBound() const;
  const Graph& g_;
  Executable exe_;
  std::vector<const Node*> hypers_;  // the optimizer's hyper-parameter states (marked `hyper`)
  std::vector<const Node*> rngStates_;  // the seed states of the random ops
  bool hyperBound_ = false;          // set by setHyper/setAdam; a step before it is an error
};

}  // namespace mnemo
