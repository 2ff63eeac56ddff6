// A kernel computes one node of a compiled graph. Everything it needs (oneDNN primitive, memory
// objects, raw pointers, index tables) is created once at compile time; run() only computes.
#pragma once

#include <dnnl.hpp>
#include <functional>
#include <memory>
#include <string>

#include "graph/node.h"
#include "ops/op_table.h"

namespace mnemo {

/// oneDNN's value for an algorithm an op row names (runtime/kernels/dnnl_algorithm.cpp).
dnnl::algorithm dnnlAlgorithm(DnnlAlg a);

class Kernel {
 public:
  virtual ~Kernel() = default;
  /// Computes the node's value (or its side effect).
  virtual void run() = 0;
  /// Which implementation runs: "onednn:<impl>" (oneDNN's own name, e.g. jit:gemm:any) or
  /// "loop:<what>" for mnemo's hand-written loops.
  virtual std::string impl() const = 0;
  const Node* node = nullptr;
};

/// What kernel factories get: the oneDNN engine and stream, and where each value lives.
struct KernelEnv {
  dnnl::engine engine;
  dnnl::stream stream;
  /// The address of value \p n (for views: inside their base).
  std::function<char*(const Node* n)> address;
  float* f32(const Node* n) const { return reinterpret_cast<float*>(address(n)); }
  int64_t* i64(const Node* n) const { return reinterpret_cast<int64_t*>(address(n)); }
};

/// A kernel made of a plain C++ loop (see the factory for why oneDNN is not used there).
class LoopKernel : public Kernel {
 public:
  LoopKernel(std::string what, std::function<void()> body) : what_(std::move(what)), body_(std::move(body)) {}
  void run() override { body_(); }
  std::string impl() const override { return "loop:" + what_; }

 private:
  std::string what_;
  std::function<void()> body_;
};

/// A kernel that runs one oneDNN primitive with arguments bound at compile time.
class DnnlKernel : public Kernel {
 public:
  /// \p owned keeps alive any buffers the arguments point into (e.g. post-op constants).
  DnnlKernel(dnnl::primitive prim, std::unordered_map<int, dnnl::memory> args, dnnl::stream stream, std::string impl,
             std::shared_ptr<const void> owned = nullptr)
      : prim_(std::move(prim)), args_(std::move(args)), stream_(std::move(stream)), impl_(std::move(impl)),
        owned_(std::move(owned)) {
    for (const auto& [key, mem] : args_) cArgs_.push_back({key, mem.get()});
  }
  /// Through oneDNN's C call with arguments prepared once: the C++ execute() builds an argument
  /// vector on every call.
  void run() override {
    dnnl::error::wrap_c_api(dnnl_primitive_execute(prim_.get(), stream_.get(), static_cast<int>(cArgs_.size()), cArgs_.data()),
                            "could not execute a primitive");
  }
  std::string impl() const override { return "onednn:" + impl_; }

 private:
  dnnl::primitive prim_;
  std::unordered_map<int, dnnl::memory> args_;
  std::vector<dnnl_exec_arg_t> cArgs_;
  dnnl::stream stream_;
  std::string impl_;
  std::shared_ptr<const void> owned_;
};

// Factories, one per op family (runtime/kernels/*.cpp). Each returns the kernel for node \p n.
std::unique_ptr<Kernel> makeMatmulKernel(const Node& n, KernelEnv& env);
std::unique_ptr<Kernel> makeBinaryKernel(const Node& n, KernelEnv& env);
std::unique_ptr<Kernel> makeUnaryKernel(const Node& n, KernelEnv& env);
std::unique_ptr<Kernel> makeShapeKernel(const Node& n, KernelEnv& env);
std::unique_ptr<Kernel> makeReduceKernel(const Node& n, KernelEnv& env);
std::unique_ptr<Kernel> makeLossKernel(const Node& n, KernelEnv& env);

// The loops above that are built for each instruction set, run with a named build (as
// expSpanBuilds() lists them) so that tests can check that every build gives the same bits.
/// dst[j] = Σ_r src[r·cols + j]: reduce_sum over the leading axis.
void columnSumsWith(const char* build, const float* src, float* dst, size_t rows, size_t cols);
/// softmax_xent's per-row losses into \p rowLoss; \returns their mean as the kernel reports it.
float softmaxXentWith(const char* build, const float* logits, const int64_t* labels, size_t rows, size_t classes,
                      float* rowLoss);
/// softmax_xent_grad with the incoming gradient \p g into \p out [rows, classes].
void softmaxXentGradWith(const char* build, const float* logits, const int64_t* labels, size_t rows, size_t classes,
                         float g, float* out);
std::unique_ptr<Kernel> makeAdamKernel(const Node& n, KernelEnv& env);
std::unique_ptr<Kernel> makeSgdKernel(const Node& n, KernelEnv& env);
std::unique_ptr<Kernel> makeRandomKernel(const Node& n, KernelEnv& env);
/// Fused regions: a matmul with a post-op chain, or an elementwise loop.
bool isMatmulRegion(const Node& n);
std::unique_ptr<Kernel> makeFusedMatmulKernel(const Node& n, KernelEnv& env);
std::unique_ptr<Kernel> makeFusedLoopKernel(const Node& n, KernelEnv& env);
/// A matmul region that fuse-matmul-epilogue gave to mnemo's micro-kernel (kernel="micro").
bool isMicroMatmulRegion(const Node& n);
std::unique_ptr<Kernel> makeMicroMatmulKernel(const Node& n, KernelEnv& env);

/// A plain row-major f32 memory descriptor for \p dims (a scalar is {1}).
dnnl::memory::desc plainDesc(const Dims& dims);
/// A matmul operand, [rows, cols] or [G, rows, cols], read transposed (last two axes) through strides.
dnnl::memory::desc matmulOperandDesc(const Dims& stored, bool transposed);

}  // namespace mnemo
