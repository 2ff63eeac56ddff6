// Tensor types: a dtype and static dimensions. mnemo's graphs have only static shapes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mnemo {

/// Element types. `None` is the "type" of a node with no result (a side-effecting update).
enum class DType : uint8_t { None, F32, I64 };

using Dims = std::vector<int64_t>;

/// A static tensor type such as f32[16,64] (scalar: f32[]).
struct TensorType {
  DType dtype = DType::None;
  Dims dims;

  TensorType() = default;
  TensorType(DType d, Dims s) : dtype(d), dims(std::move(s)) {}
  static TensorType f32(Dims s) { return {DType::F32, std::move(s)}; }
  static TensorType i64(Dims s) { return {DType::I64, std::move(s)}; }
  static TensorType none() { return {}; }

  bool isNone() const { return dtype == DType::None; }
  int rank() const { return static_cast<int>(dims.size()); }
  /// \returns the number of elements (1 for a scalar, 0 for None); throws mnemo::Error when the
  /// product of the dimensions overflows int64.
  int64_t numel() const;
  bool operator==(const TensorType& o) const { return dtype == o.dtype && dims == o.dims; }
  bool operator!=(const TensorType& o) const { return !(*this == o); }
  /// \returns "f32[16,64]", "i64[]" or "()".
  std::string str() const;
};

/// \returns "[16,64]".
std::string dimsStr(const Dims& dims);
/// \returns "f32" / "i64".
const char* dtypeName(DType d);

}  // namespace mnemo
