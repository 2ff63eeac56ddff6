// Shrinking a failing model to a small reproducer: greedy, one simplification at a time, kept
// when the model still fails with the same signature (CheckResult::signature). Simplifications,
// biggest first: a shorter sequence, dropping a loss term, a step statement or a state, replacing
// an expression by one of its operands or by a leaf of its shape, smaller sizes. Declarations
// nothing reads any more are dropped after each step.
#pragma once

#include <functional>

#include "model.h"
#include "oracle.h"

namespace mnemo::modelgen {

struct ShrinkResult {
  GenModel model;
  CheckResult failure;
  int attempts = 0, accepted = 0;
};

using ModelCheck = std::function<CheckResult(const GenModel&)>;

/// Shrinks \p model, which fails as \p failure under \p check, trying at most \p maxAttempts
/// candidates.
ShrinkResult shrinkModel(const GenModel& model, const CheckResult& failure, const ModelCheck& check,
                         int maxAttempts = 600);

/// The simplifications of \p m, in the order tried (exposed for tests).
std::vector<GenModel> shrinkCandidates(const GenModel& m);
/// \p m without the params, inputs and states that nothing reads.
GenModel dropUnused(GenModel m);

}  // namespace mnemo::modelgen
