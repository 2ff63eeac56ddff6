// Array: the one data type of mnemo's public API. A dtype, a shape and the elements in C order
// (row-major), as NumPy lays them out; the Python module hands these to NumPy without a copy.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace mnemo::api {

enum class DType { Float32, Float64, Int32, Int64, UInt8 };

/// NumPy's name of a dtype: "float32", "float64", "int32", "int64", "uint8".
const char* dtypeName(DType t);
/// Bytes per element.
size_t dtypeSize(DType t);

/// A view of elements someone else owns (a NumPy array's buffer, an Array): C order, no copy.
struct ArrayRef {
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;
  const void* data = nullptr;
};

struct Array {
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;       ///< empty: a 0-d array (one element)
  std::vector<unsigned char> bytes;  ///< exactly elements() * dtypeSize(dtype) bytes

  /// The number of elements (the product of the shape; 1 for a 0-d array).
  size_t elements() const {
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    return n;
  }
  /// The elements as T (T must be the C++ type of dtype: float, double, int32_t, int64_t, uint8_t).
  template <typename T>
  const T* data() const {
    return reinterpret_cast<const T*>(bytes.data());
  }
  ArrayRef ref() const { return ArrayRef{dtype, shape, bytes.data()}; }
  /// An array of \p shape holding a copy of \p values (as many as the shape has elements).
  template <typename T>
  static Array of(DType dtype, std::vector<int64_t> shape, const std::vector<T>& values) {
    Array a;
    a.dtype = dtype;
    a.shape = std::move(shape);
    a.bytes.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
    return a;
  }
};

}  // namespace mnemo::api
