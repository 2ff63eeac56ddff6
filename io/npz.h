// .npy arrays and .npz archives (the files numpy.save/savez/load use), via libzip.
//
// An NpyArray is a dtype, a shape and the raw little-endian bytes in C order. An NpzArchive is
// an ordered set of named arrays; writeNpz stores each as "<name>.npy" (.npy format v1.0,
// uncompressed like numpy.savez, or deflated like numpy.savez_compressed) and replaces the target
// file atomically. readNpz checks everything it reads — zip structure and CRCs, the .npy magic,
// version and header, dtype, fortran order, that the data size matches the shape — and reports a
// problem as a one-line mnemo::Error naming the file and the array.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "support/error.h"

namespace mnemo {

/// Element types an NpyArray can hold (all little-endian).
enum class NpyType { Float32, Float64, Int32, Int64, UInt8 };

/// NumPy's descr for a dtype: "<f4", "<f8", "<i4", "<i8", "|u1".
const char* npyDescr(NpyType t);
/// A readable name: "float32", "float64", "int32", "int64", "uint8".
const char* npyTypeName(NpyType t);
/// Bytes per element.
size_t npyTypeSize(NpyType t);

/// The NpyType of a C++ element type (float, double, int32_t, int64_t, uint8_t).
template <typename T>
constexpr NpyType npyTypeOf();
template <> constexpr NpyType npyTypeOf<float>() { return NpyType::Float32; }
template <> constexpr NpyType npyTypeOf<double>() { return NpyType::Float64; }
template <> constexpr NpyType npyTypeOf<int32_t>() { return NpyType::Int32; }
template <> constexpr NpyType npyTypeOf<int64_t>() { return NpyType::Int64; }
template <> constexpr NpyType npyTypeOf<uint8_t>() { return NpyType::UInt8; }

/// "(3, 4)" / "(5,)" / "()" — a shape as NumPy prints it.
std::string shapeString(const std::vector<int64_t>& shape);

/// A dense C-order array with a dtype and shape; `bytes` holds exactly size()*npyTypeSize bytes.
struct NpyArray {
  NpyType dtype = NpyType::Float32;
  std::vector<int64_t> shape;
  std::vector<unsigned char> bytes;

  /// Number of elements (1 for a 0-d array).
  size_t size() const;

  /// Builds an array from `data` (size() elements of T, copied).
  template <typename T>
  static NpyArray from(std::vector<int64_t> shape, const T* data) {
    NpyArray a;
    a.dtype = npyTypeOf<T>();
    a.shape = std::move(shape);
    a.bytes.resize(a.size() * sizeof(T));
    if (!a.bytes.empty()) std::memcpy(a.bytes.data(), data, a.bytes.size());
    return a;
  }
  /// Builds an array from a vector whose length must equal the shape's element count.
  template <typename T>
  static NpyArray from(std::vector<int64_t> shape, const std::vector<T>& data) {
    NpyArray a = from<T>(std::move(shape), data.data());
    MNEMO_CHECK(a.size() == data.size(), "NpyArray::from: " << data.size()
                                             << " values for shape " << shapeString(a.shape));
    return a;
  }
  /// A 0-d array holding one value.
  template <typename T>
  static NpyArray scalar(T value) {
    return from<T>({}, &value);
  }

  /// The elements as T; T must match dtype exactly (throws mnemo::Error otherwise).
  template <typename T>
  std::vector<T> values() const {
    if (dtype != npyTypeOf<T>())
      MNEMO_FAIL("array has dtype " << npyTypeName(dtype) << ", expected "
                                    << npyTypeName(npyTypeOf<T>()));
    std::vector<T> out(size());
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  /// The elements converted to double, whatever the dtype.
  std::vector<double> toDoubles() const;
};

/// The bytes of a .npy file (format v1.0) holding `array`.
std::string encodeNpy(const NpyArray& array);
/// Parses the bytes of a .npy file (v1.0, 2.0 or 3.0); `what` names it in error messages.
NpyArray decodeNpy(const std::string& bytes, const std::string& what);

/// An ordered set of named arrays: the contents of one .npz file.
class NpzArchive {
 public:
  NpzArchive() = default;
  /// `source` names the archive in error messages (usually the file path).
  explicit NpzArchive(std::string source) : source_(std::move(source)) {}

  /// Adds or replaces the array called `name` (no ".npy" suffix).
  void add(const std::string& name, NpyArray array);
  /// Whether an array called `name` exists.
  bool has(const std::string& name) const;
  /// The array called `name`; throws mnemo::Error naming the archive if it is missing.
  const NpyArray& get(const std::string& name) const;
  /// The array called `name`, checked to have `dtype` and, if `shape` is non-empty or `scalar`
  /// is set, that shape (-1 matches any extent). Throws a one-line mnemo::Error otherwise.
  const NpyArray& get(const std::string& name, NpyType dtype, const std::vector<int64_t>& shape = {},
                      bool scalar = false) const;
  /// Array names in insertion (or file) order.
  std::vector<std::string> names() const;
  size_t size() const { return names_.size(); }
  const std::string& source() const { return source_; }

 private:
  std::string source_ = "<npz>";
  std::vector<std::string> names_;
  std::vector<NpyArray> arrays_;
};

/// Writes `archive` to `path` as a .npz file that numpy.load reads. The file is written to a
/// temporary name in the same directory and renamed over `path`, so readers never see a partial
/// file. `compress` deflates the members (numpy.savez_compressed); the default stores them.
void writeNpz(const std::string& path, const NpzArchive& archive, bool compress = false);

/// Reads every array of the .npz file at `path`. Throws a one-line mnemo::Error naming the file
/// and the problem for a missing, truncated or corrupt file or an unsupported array.
NpzArchive readNpz(const std::string& path);

/// The names of the arrays in the .npz file at `path`, from the archive's directory alone (no
/// array is read). Throws as readNpz does for a file that is not an .npz archive.
std::vector<std::string> readNpzNames(const std::string& path);

}  // namespace mnemo
