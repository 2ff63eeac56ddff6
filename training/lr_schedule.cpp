// checkLrSchedule and learningRateAt (see lr_schedule.h).
#include "training/lr_schedule.h"

#include <cmath>

#include "support/error.h"

namespace mnemo {

void checkLrSchedule(const RunConfig& run, const std::string& what) {
  if (run.lrSchedule != "constant" && run.lrSchedule != "step" && run.lrSchedule != "cosine")
    MNEMO_FAIL(settingName(what, "lr-schedule") << " must be constant, step or cosine, got '" << run.lrSchedule << "'");
  if (run.lrStepEvery < 1) MNEMO_FAIL(settingName(what, "lr-step-every") << " must be at least 1, got " << run.lrStepEvery);
  if (!(run.lrGamma > 0 && run.lrGamma <= 1))
    MNEMO_FAIL(settingName(what, "lr-gamma") << " must be in (0, 1], got " << run.lrGamma);
  if (!(run.lrMin >= 0 && run.lrMin <= run.lr))
    MNEMO_FAIL(settingName(what, "lr-min") << " must be in [0, lr = " << run.lr << "], got " << run.lrMin);
  if (run.lrPeriod < 0)
    MNEMO_FAIL(settingName(what, "lr-period") << " must be at least 1 (or 0: --steps), got " << run.lrPeriod);
}

double learningRateAt(const RunConfig& run, int64_t step) {
  const int64_t done = step < 1 ? 0 : step - 1;
  if (run.lrSchedule == "step") return run.lr * std::pow(run.lrGamma, static_cast<double>(done / run.lrStepEvery));
  if (run.lrSchedule == "cosine") {
    const int64_t period = run.lrPeriod > 0 ? run.lrPeriod : std::max<int64_t>(run.steps, 1);
    const double phase = static_cast<double>(std::min(done, period)) / static_cast<double>(period);
    return run.lrMin + (run.lr - run.lrMin) * 0.5 * (1 + std::cos(3.14159265358979323846 * phase));
  }
  return run.lr;
}

}  // namespace mnemo
