// Constructors of mnemo's passes, one per file in graph/passes/. Pipelines are assembled from
// these in graph/passes/pipelines.cpp.
#pragma once

#include <memory>

#include "graph/passes/pass.h"

namespace mnemo {

std::unique_ptr<Pass> createSimplifyPass();
std::unique_ptr<Pass> createCsePass();
std::unique_ptr<Pass> createDcePass();
std::unique_ptr<Pass> createTimeBatchPass(bool microKernels = true);
/// \p microKernels: small matmuls may run on mnemo's micro-kernel (false: oneDNN only).
std::unique_ptr<Pass> createFuseMatmulEpiloguePass(bool microKernels = true);
std::unique_ptr<Pass> createFuseElementwisePass();
/// transpose-once: one transpose for a value several micro-kernel matmuls read transposed.
std::unique_ptr<Pass> createTransposeOncePass();
/// The two training passes, autodiff then adam, sharing what autodiff produced: the loss is the
/// graph's first output and every param is trained. \p optimizerRows > 0: one optimizer hyper row
/// per member of a stacked ensemble (addAdam).
std::pair<std::unique_ptr<Pass>, std::unique_ptr<Pass>> createTrainingPasses(int64_t optimizerRows = 0);
/// The clip-grad-norm pass: scales the marked gradients to a global L2 norm of at most
/// \p maxNorm (> 0) before the optimizer pass reads them.
std::unique_ptr<Pass> createClipGradNormPass(double maxNorm);
/// The sgd-momentum pass: the optimizer stage of SGD with momentum, from the marked gradients
/// (\p optimizerRows as for createTrainingPasses).
std::unique_ptr<Pass> createSgdMomentumPass(int64_t optimizerRows = 0);

}  // namespace mnemo
