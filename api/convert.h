// Between mnemo's internal arrays (.npy arrays, checkpoint tensors) and the public api::Array.
#pragma once

#include <map>
#include <string>

#include "training/checkpoint.h"
#include "io/npz.h"
#include "mnemo/array.h"

namespace mnemo::api {

/// The public dtype of an .npy dtype (the two enums list the same five types).
DType publicType(NpyType t);
/// \p a as a public Array (its bytes moved).
Array toArray(NpyArray&& a);
/// Checkpoint tensors (params or optimizer state) as float32 Arrays by name.
std::map<std::string, Array> toArrays(const std::map<std::string, StoredTensor>& tensors);
/// Throws a one-line error unless \p a has \p dtype and \p shape; \p what names it ("inputs").
void checkArray(const ArrayRef& a, DType dtype, const std::vector<int64_t>& shape, const std::string& what);

}  // namespace mnemo::api
