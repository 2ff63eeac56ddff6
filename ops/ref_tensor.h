// The reference evaluator's tensor: a type and its elements in double precision, row-major.
// Integer tensors (labels) hold exact small integers in the same doubles.
#pragma once

#include <vector>

#include "graph/types.h"

namespace mnemo {

struct RefTensor {
  TensorType type;
  std::vector<double> data;

  RefTensor() = default;
  explicit RefTensor(TensorType t) : type(std::move(t)), data(static_cast<size_t>(type.numel()), 0.0) {}
  RefTensor(TensorType t, std::vector<double> d) : type(std::move(t)), data(std::move(d)) {}
  size_t size() const { return data.size(); }
  double& operator[](size_t i) { return data[i]; }
  double operator[](size_t i) const { return data[i]; }
};

}  // namespace mnemo
