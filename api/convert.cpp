// Conversions between mnemo's internal arrays and api::Array, and the public dtype table.
#include "api/convert.h"

#include "support/error.h"

namespace mnemo::api {

const char* dtypeName(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::UInt8: return "uint8";
  }
  return "?";
}

size_t dtypeSize(DType t) {
  switch (t) {
    case DType::Float64:
    case DType::Int64: return 8;
    case DType::Float32:
    case DType::Int32: return 4;
    case DType::UInt8: return 1;
  }
  return 1;
}

DType publicType(NpyType t) {
  switch (t) {
    case NpyType::Float32: return DType::Float32;
    case NpyType::Float64: return DType::Float64;
    case NpyType::Int32: return DType::Int32;
    case NpyType::Int64: return DType::Int64;
    case NpyType::UInt8: return DType::UInt8;
  }
  MNEMO_CHECK(false, "unknown NpyType");
}

Array toArray(NpyArray&& a) {
  Array out;
  out.dtype = publicType(a.dtype);
  out.shape = std::move(a.shape);
  out.bytes = std::move(a.bytes);
  return out;
}

std::map<std::string, Array> toArrays(const std::map<std::string, StoredTensor>& tensors) {
  std::map<std::string, Array> out;
  for (const auto& [name, t] : tensors) out[name] = Array::of(DType::Float32, t.dims, t.values);
  return out;
}

void checkArray(const ArrayRef& a, DType dtype, const std::vector<int64_t>& shape, const std::string& what) {
  if (a.dtype != dtype || a.shape != shape)
    MNEMO_FAIL(what << ": expected " << dtypeName(dtype) << " " << shapeString(shape) << ", got " << dtypeName(a.dtype)
                    << " " << shapeString(a.shape));
}

}  // namespace mnemo::api
