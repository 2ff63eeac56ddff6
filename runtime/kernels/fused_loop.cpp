// A fused elementwise region run as one loop: the output is computed tile by tile (512
// elements), each op of the region over the whole tile before the next (short, dependency-free
// loops the compiler vectorises: the span form of the op's row in the op table), with
// intermediates in tile-sized registers that stay in L1.
// Parameters of the region's full shape are read in place; broadcast ones (a bias, a scalar) are
// gathered into a register per tile through an index table made at compile time.
// A large region is split over the threads (parallel.h), each with its own registers.
#include <cstring>

#include "support/error.h"
#include "graph/graph.h"
#include "runtime/target/fusion_rules.h"
#include "ops/shape_util.h"
#include "runtime/kernels/kernel.h"
#include "runtime/kernels/parallel.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

constexpr size_t kTile = 512;

/// Where an op reads an operand for the current tile.
struct Source {
  enum Kind { Register, Direct, Gather } kind = Register;
  int reg = -1;               // Register and Gather: the register it is (or is gathered into)
  const float* ptr = nullptr; // Direct and Gather: the parameter's data
  std::shared_ptr<std::vector<uint32_t>> index;  // Gather: element → parameter index
  int constant = -1;  // Gather of a region constant: its slot in the kernel's constants
};

struct Step {
  SpanFn span;  // the op row's loop form
  int dst;  // register; -1 for the region's result (written to the output)
  Source a, b;
};

class FusedLoopKernel : public Kernel {
 public:
  FusedLoopKernel(size_t count, std::vector<Source> gathers, std::vector<Step> steps, int registers, float* out,
                  std::vector<float> constants)
      : count_(count), gathers_(std::move(gathers)), steps_(std::move(steps)),
        registers_(static_cast<size_t>(registers) * kTile), threads_(static_cast<size_t>(loopThreads(count))),
        regs_(registers_ * threads_), out_(out), constants_(std::move(constants)) {
    // Constants were gathered from indices into constants_; point the gathers at its storage.
    for (Source& g : gathers_)
      if (g.constant >= 0) g.ptr = &constants_[static_cast<size_t>(g.constant)];
  }

  std::string impl() const override { return "loop:fused(" + std::to_string(steps_.size()) + " ops)"; }

  void run() override {
    // Registers for as many threads as there were at compile time; more now run serially.
    if (static_cast<size_t>(loopThreads(count_)) > threads_) return runRange(0, count_, 0);
    parallelRanges(count_, count_, kTile, [this](size_t begin, size_t end, int t) { runRange(begin, end, t); });
  }

 private:
  /// Elements [begin, end) with thread \p t's registers.
  void runRange(size_t begin, size_t end, int t) {
    float* regs = regs_.data() + static_cast<size_t>(t) * registers_;
    auto reg = [regs](int r) { return regs + static_cast<size_t>(r) * kTile; };
    for (size_t start = begin; start < end; start += kTile) {
      size_t len = std::min(kTile, end - start);
      for (const Source& g : gathers_) {
        float* r = reg(g.reg);
        const uint32_t* idx = g.index->data() + start;
        for (size_t e = 0; e < len; ++e) r[e] = g.ptr[idx[e]];
      }
      for (const Step& s : steps_) {
        float* d = s.dst < 0 ? out_ + start : reg(s.dst);
        const float* a = s.a.kind == Source::Direct ? s.a.ptr + start : reg(s.a.reg);
        const float* b = s.b.kind == Source::Register && s.b.reg < 0 ? nullptr
                         : s.b.kind == Source::Direct                 ? s.b.ptr + start
                                                                      : reg(s.b.reg);
        s.span(d, a, b, len);
      }
    }
  }

  size_t count_;
  std::vector<Source> gathers_;
  std::vector<Step> steps_;
  size_t registers_;  // floats of registers one thread needs
  size_t threads_;    // threads the registers are allocated for
  std::vector<float> regs_;
  float* out_;
  std::vector<float> constants_;
};

}  // namespace

std::unique_ptr<Kernel> makeFusedLoopKernel(const Node& n, KernelEnv& env) {
  const Graph& body = *n.body();
  const Dims& dims = n.dims();
  const size_t count = static_cast<size_t>(n.type().numel());
  std::unordered_map<const Node*, Source> source;
  std::vector<Source> gathers;
  std::vector<float> constants;
  int registers = 0;
  int param = 0;
  for (const Node* b : body.nodes()) {
    if (b->kind() == OpKind::Input || b->kind() == OpKind::Constant) {
      Source s;
      const float* data = nullptr;
      Dims from = b->dims();
      if (b->kind() == OpKind::Input) {
        data = env.f32(n.operand(param++));
      } else {  // a uniform constant: one value, broadcast
        s.constant = static_cast<int>(constants.size());
        constants.push_back(static_cast<float>(b->attr<double>("value")));
        from = {};
      }
      // A constant is always gathered (from the kernel's own storage, which a Direct source
      // could not point at before the kernel exists), even in a scalar region where its shape
      // equals the region's.
      if (from == dims && b->kind() == OpKind::Input) {
        s.kind = Source::Direct, s.ptr = data;
      } else {
        s.kind = Source::Gather, s.ptr = data, s.reg = registers++;
        std::vector<size_t> map = broadcastIndexMap(dims, from);
        s.index = std::make_shared<std::vector<uint32_t>>(map.begin(), map.end());
        s.index->resize(count + kTile, 0);  // the last tile may read past the end of the table
        gathers.push_back(s);
      }
      source[b] = s;
    }
  }
  std::vector<Step> steps;
  const Node* result = body.outputs()[0];
  for (const Node* b : body.nodes()) {
    if (b->isLeaf()) continue;
    MNEMO_CHECK(loopKernelRuns(b->kind()) && b->dims() == dims,
                "fused region %" << n.name() << ": op '" << opName(b->kind()) << "' " << b->type().str()
                                  << " cannot run in an elementwise loop over " << dimsStr(dims));
    Step s{opInfo(b->kind()).elementwise.scalar.span, b == result ? -1 : registers++, source.at(b->operand(0)), Source{}};
    if (b->numOperands() > 1) s.b = source.at(b->operand(1));
    Source produced;
    produced.kind = Source::Register, produced.reg = s.dst;
    source[b] = produced;
    steps.push_back(s);
  }
  MNEMO_CHECK(!steps.empty() && steps.back().dst == -1, "fused region %" << n.name() << " does not end with its result");
  auto k = std::make_unique<FusedLoopKernel>(count, std::move(gathers), std::move(steps), registers, env.f32(&n),
                                             std::move(constants));
  k->node = &n;
  return k;
}

}  // namespace mnemo
