#include "ops/shape_util.h"

#include <algorithm>

#include "support/error.h"

namespace mnemo {

Dims broadcastDims(const Dims& a, const Dims& b) {
  size_t rank = std::max(a.size(), b.size());
  Dims out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      MNEMO_FAIL("shapes " << dimsStr(a) << " and " << dimsStr(b) << " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> stridesOf(const Dims& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

std::vector<size_t> broadcastIndexMap(const Dims& out, const Dims& in) {
  int64_t n = 1;
  for (int64_t d : out) n *= d;
  size_t extra = out.size() - in.size();
  std::vector<int64_t> inStrides = stridesOf(in);
  std::vector<size_t> map(static_cast<size_t>(n));
  std::vector<int64_t> idx(out.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t src = 0;
    for (size_t i = extra; i < out.size(); ++i)
      if (in[i - extra] != 1) src += idx[i] * inStrides[i - extra];
    map[flat] = static_cast<size_t>(src);
    for (int i = static_cast<int>(out.size()) - 1; i >= 0; --i) {
      if (++idx[i] < out[i]) break;
      idx[i] = 0;
    }
  }
  return map;
}

void checkAxis(int64_t axis, int rank, const char* what) {
  if (axis < 0 || axis >= rank)
    MNEMO_FAIL(what << " " << axis << " is out of range for rank " << rank);
}

void requireF32(const TensorType& t, const char* what) {
  if (t.dtype != DType::F32) MNEMO_FAIL(what << " must be f32, got " << t.str());
}

}  // namespace mnemo
