// One step of a trained model as a function of its state, h' = F(h, u), compiled for
// `mnemo fixedpoints` (analysis/fixed_points.h). The model file is unrolled for a single
// step (T = 1) at batch C, one row per candidate state; the uses of each state's initial value
// (%<state>_0) are redirected to a leaf holding the candidates, %fp.<state>. The constant input
// u is bound to %x[0] for every candidate. Two graphs are built from this step:
//
//  - Minimise: the candidates are trainable params; the graph returns q(h) = ½‖F(h,u) − h‖² per
//    candidate (%fp.q, f32[C]) and minimises their sum (%fp.q_total) with mnemo's own autodiff
//    pass and Adam pass, so one Session::trainStep moves every candidate downhill at once.
//  - Jacobian: the candidates are inputs, and so is a seed s (%seed.<state>); the graph returns
//    the gradient of Σ F(h,u)·s with respect to h, which is sᵀ·∂F/∂h for each candidate: with s
//    the j-th unit vector, row j of the Jacobian of every candidate.
//
// The state of F: a model with several states (an LSTM's h and c) is one dynamical system whose
// state is every state concatenated, in declaration order, each flattened per candidate; F maps
// that vector to the next one and its Jacobian is the full [D, D] matrix, D = Σ sizes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "training/checkpoint.h"
#include "training/compiled_model.h"
#include "training/input_feeds.h"

namespace mnemo {

/// How the concatenated state vector is laid out: the model's states in declaration order.
struct StateLayout {
  std::vector<std::string> names;
  std::vector<int64_t> sizes;  ///< values per candidate of each state
  int64_t total = 0;           ///< D, the length of the concatenated state
  /// Where state \p i starts in the concatenated vector.
  int64_t offset(size_t i) const;
};

enum class StepGraphUse { Minimise, Jacobian };

/// A compiled single step of a checkpoint's model for a fixed number of candidates, with the
/// checkpoint's parameters loaded and the constant input bound.
class StepGraph {
 public:
  /// Compiles the step of \p ckpt's model for \p candidates rows with input \p input (the
  /// model's first input per step, I values). Throws mnemo::Error naming the problem: a wrong
  /// input length, a model whose state has no batch axis or whose initial value is not %s_0.
  StepGraph(const Checkpoint& ckpt, int64_t candidates, StepGraphUse use, const std::vector<float>& input,
            bool fuse = true);

  const StateLayout& layout() const { return layout_; }
  int64_t candidates() const { return candidates_; }
  double compileMilliseconds() const { return model_.compileMilliseconds; }

  /// Writes the candidates, [C, D] row-major (and resets nothing else).
  void setStates(const std::vector<float>& states);
  /// The candidates as they are now (after the optimizer's updates), [C, D].
  std::vector<float> states() const;

  /// Minimise: binds Adam's hyper-parameters (learning rate \p lr) before the first step.
  void startAdam(double lr);
  /// Minimise: one fwd/bwd/Adam step at learning rate \p lr; q and F are those before the update.
  void adamStep(double lr);
  /// Runs the fwd stage (F and q at the current candidates).
  void evaluate();
  /// F(h, u) of the last run, [C, D].
  std::vector<float> next() const;
  /// q(h) of the last run, [C] (Minimise only).
  std::vector<float> q() const;

  /// Jacobian: ∂F/∂h of every candidate, [C, D, D] row-major, J[c][i][j] = ∂F_i/∂h_j, as D
  /// backward passes.
  std::vector<double> jacobians();

 private:
  std::vector<float> gather(const std::vector<std::string>& names) const;
  void scatter(const std::vector<std::string>& names, const std::vector<float>& values);

  CompiledModel model_;
  std::unique_ptr<InputFeeds> feeds_;
  StateLayout layout_;
  int64_t candidates_;
  StepGraphUse use_;
  std::vector<std::string> candidateLeaves_, nextOutputs_, seedInputs_, gradOutputs_;
  std::string qOutput_;
};

}  // namespace mnemo
