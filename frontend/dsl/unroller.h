// The model DSL's unroller: resolves names, folds constant arithmetic, checks shapes through the
// Builder and unrolls the step block T times into a forward graph (naming rules in
// frontend/dsl/model.h). Every error is "FILE:line:col: message" at the offending expression.
#pragma once

#include "frontend/dsl/ast.h"
#include "frontend/dsl/model.h"

namespace mnemo {

/// Builds the forward graph of \p ast for the run described by \p opts.
Model unrollDsl(const DslModel& ast, const ModelOptions& opts);

}  // namespace mnemo
