// The random model generator: a seed in, a well-typed model out (the same seed always gives the
// same model). Expressions are drawn from the op table (op_table.h) by the shape they must have,
// so every row can appear wherever its result fits: under a matmul, in a bias, as a scalar loss
// term. Values are kept finite by construction: log and sqrt read positive expressions, a
// divisor is positive, and states are updated through a squashing function.
#pragma once

#include <cstdint>

#include "model.h"

namespace mnemo::modelgen {

GenModel generateModel(uint64_t seed);

}  // namespace mnemo::modelgen
