#include "op_table.h"

#include "support/error.h"

namespace mnemo::modelgen {

const std::vector<OpRow>& opRows() {
  static const std::vector<OpRow> rows = {
      //  id          irOp           form              text       kind              pos    posR   weight
      {"add",        "add",         OpRow::Infix,  "+",        OpRow::Binary,  false, false, 6},
      {"sub",        "sub",         OpRow::Infix,  "-",        OpRow::Binary,  false, false, 4},
      {"mul",        "mul",         OpRow::Infix,  "*",        OpRow::Binary,  false, false, 6},
      {"div",        "div",         OpRow::Infix,  "/",        OpRow::Binary,  false, true,  2},
      {"add_call",   "add",         OpRow::Call,   "add",      OpRow::Binary,  false, false, 1},
      {"mul_call",   "mul",         OpRow::Call,   "mul",      OpRow::Binary,  false, false, 1},
      {"neg",        "neg",         OpRow::Prefix, "-",        OpRow::Unary,   false, false, 2},
      {"neg_call",   "neg",         OpRow::Call,   "neg",      OpRow::Unary,   false, false, 1},
      {"relu",       "relu",        OpRow::Call,   "relu",     OpRow::Unary,   false, false, 3},
      {"tanh",       "tanh",        OpRow::Call,   "tanh",     OpRow::Unary,   false, false, 3},
      {"sigmoid",    "sigmoid",     OpRow::Call,   "sigmoid",  OpRow::Unary,   false, false, 3},
      {"exp",        "exp",         OpRow::Call,   "exp",      OpRow::Unary,   false, false, 2},
      {"log",        "log",         OpRow::Call,   "log",      OpRow::Unary,   true,  false, 2},
      {"sqrt",       "sqrt",        OpRow::Call,   "sqrt",     OpRow::Unary,   true,  false, 2},
      {"square",     "square",      OpRow::Call,   "square",   OpRow::Unary,   false, false, 3},
      {"softplus",   "softplus",    OpRow::Call,   "softplus", OpRow::Unary,   false, false, 2},
      {"abs",        "abs",         OpRow::Call,   "abs",      OpRow::Unary,   false, false, 2},
      {"elu",        "elu",         OpRow::Call,   "elu",      OpRow::Unary,   false, false, 2},
      {"maximum",    "maximum",     OpRow::Call,   "maximum",  OpRow::Binary,  false, false, 2},
      {"minimum",    "minimum",     OpRow::Call,   "minimum",  OpRow::Binary,  false, false, 2},
      {"matmul",     "matmul",      OpRow::Infix,  "@",        OpRow::MatMul,  false, false, 5},
      {"matmul_call","matmul",      OpRow::Call,   "matmul",   OpRow::MatMul,  false, false, 1},
      {"mean",       "reduce_mean", OpRow::Call,   "mean",     OpRow::Reduce,  false, false, 2},
      {"sum",        "reduce_sum",  OpRow::Call,   "sum",      OpRow::Reduce,  false, false, 2},
      {"less",       "less",        OpRow::Infix,  "<",        OpRow::Compare, false, false, 1},
      {"less_equal", "less_equal",  OpRow::Infix,  "<=",       OpRow::Compare, false, false, 1},
      {"greater",    "greater",     OpRow::Infix,  ">",        OpRow::Compare, false, false, 1},
      {"greater_equal","greater_equal",OpRow::Infix,">=",      OpRow::Compare, false, false, 1},
      {"equal",      "equal",       OpRow::Infix,  "==",       OpRow::Compare, false, false, 1},
      {"less_call",  "less",        OpRow::Call,   "less",     OpRow::Compare, false, false, 1},
      {"where",      "where",       OpRow::Call,   "where",    OpRow::Where,   false, false, 3},
      {"range",      "slice",       OpRow::Range,  "[:, ",     OpRow::Slice,   false, false, 3},
      {"slice",      "slice",       OpRow::Call,   "slice",    OpRow::Slice,   false, false, 2},
      {"concat",     "concat",      OpRow::Call,   "concat",   OpRow::Concat,  false, false, 3},
      {"transpose",  "transpose",   OpRow::Call,   "transpose",OpRow::Transpose,false,false, 3},
      {"reshape",    "reshape",     OpRow::Call,   "reshape",  OpRow::Reshape, false, false, 2},
      {"randn",      "random_normal", OpRow::Call, "randn",    OpRow::Noise,   false, false, 1},
      {"rand",       "random_uniform",OpRow::Call, "rand",     OpRow::Noise,   false, false, 1},
  };
  return rows;
}

const OpRow& opRow(const std::string& id) {
  for (const OpRow& r : opRows())
    if (id == r.id) return r;
  MNEMO_FAIL("modelgen: no op row '" << id << "'");
}

const std::vector<OpExclusion>& opsFromStructure() {
  static const std::vector<OpExclusion> ops = {
      {"input", "every `input` declaration"},
      {"param", "every `param` declaration"},
      {"constant", "numbers and state initial values"},
      {"select", "x[t] reads an input's step"},
      {"stack", "an `out` is stacked over time"},
      {"softmax_xent", "the main loss term cross_entropy(o, labels)"},
      {"reshape", "cross_entropy flattens [T, B, O] logits to [T*B, O] (also the reshape row)"},
      {"softmax_xent_rows", "the weighted main loss term cross_entropy(o, labels, weights)"},
  };
  return ops;
}

const std::vector<OpExclusion>& opsNotInModels() {
  static const std::vector<OpExclusion> ops = {
      {"state", "the DSL lowers a state to constants and step values; `state` leaves are Adam's moments"},
      {"relu_grad", "a gradient op without a gradient of its own: callable by name, but only off the loss "
                    "path, which the generator does not track; autodiff makes it in every relu model"},
      {"broadcast", "needs a dims attribute; the DSL broadcasts implicitly"},
      {"insert_slice", "made by autodiff (the gradient of select)"},
      {"argmax", "needs an axis attribute and has no gradient"},
      {"reduce_max", "needs an axes attribute; models reach it through softmax and logsumexp"},
      {"softmax_xent_grad", "a gradient op: autodiff makes it"},
      {"softmax_xent_rows_grad", "a gradient op: autodiff makes it (weighted cross_entropy)"},
      {"fused", "made by the fusion passes"},
      {"adam_update", "made by the adam pass"},
      {"sgd_update", "made by the sgd-momentum pass"},
  };
  return ops;
}

}  // namespace mnemo::modelgen
