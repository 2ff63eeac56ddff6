// The learning rate of each training step, from a run's --lr and --lr-schedule (RunConfig). The
// trainer writes it into the optimizer's hyper-parameter state before every step
// (Session::setLearningRate), so the compiled graph does not change. With t the 1-based step:
//   constant   lr
//   step       lr * gamma^floor((t - 1) / every)                  --lr-step-every, --lr-gamma
//   cosine     lr_min + (lr - lr_min) * (1 + cos(pi * min(t - 1, P) / P)) / 2
//              with P = --lr-period (default: --steps)             --lr-min, --lr-period
#pragma once

#include <cstdint>
#include <string>

#include "training/run_config.h"

namespace mnemo {

/// Throws a one-line mnemo::Error unless \p run's schedule is well formed; the error names the flag,
/// or with \p what (a checkpoint) the stored setting (settingName).
void checkLrSchedule(const RunConfig& run, const std::string& what = "");

/// The learning rate of step \p step (1-based) of \p run.
double learningRateAt(const RunConfig& run, int64_t step);

}  // namespace mnemo
