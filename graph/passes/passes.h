// Constructors of mnemo's passes, one per file in graph/passes/. Pipelines are assembled from
// these in graph/passes/pipelines.cpp.
#pragma once

#include <memory>

#include "graph/passes/pass.h"

namespace mnemo {

std::unique_ptr<Pass> createSimplifyPass();
std::unique_ptr<Pass> createCsePass();
std::unique_ptr<Pass> createDcePass();
std::unique_ptr<Pass> createTimeBatchPass();
std::unique_ptr<Pass> createFuseMatmulEpiloguePass();
std::unique_ptr<Pass> createFuseElementwisePass();
/// The two training passes, autodiff then adam, sharing what autodiff produced: the loss is the
/// graph's first output and every param is trained.
std::pair<std::unique_ptr<Pass>, std::unique_ptr<Pass>> createTrainingPasses();
/// The clip-grad-norm pass: scales the marked gradients to a global L2 norm of at most
/// \p maxNorm (> 0) before the optimizer pass reads them.
std::unique_ptr<Pass> createClipGradNormPass(double maxNorm);
/// The sgd-momentum pass: the optimizer stage of SGD with momentum, from the marked gradients.
std::unique_ptr<Pass> createSgdMomentumPass();

}  // namespace mnemo
