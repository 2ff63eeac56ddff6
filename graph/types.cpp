#include "graph/types.h"

#include "support/error.h"

namespace mnemo {

int64_t TensorType::numel() const {
  if (isNone()) return 0;
  int64_t n = 1;
  for (int64_t d : dims)
    if (__builtin_mul_overflow(n, d, &n)) MNEMO_FAIL("the element count of " << str() << " overflows 64 bits");
  return n;
}

std::string dimsStr(const Dims& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

const char* dtypeName(DType d) {
  switch (d) {
    case DType::F32: return "f32";
    case DType::I64: return "i64";
    case DType::None: return "()";
  }
  return "?";
}

std::string TensorType::str() const {
  if (isNone()) return "()";
  return dtypeName(dtype) + dimsStr(dims);
}

}  // namespace mnemo
