// exportAnalysis (see analysis/export.h).
#include "analysis/export.h"

#include "support/error.h"

namespace mnemo {

NpzArchive exportAnalysis(const AnalysisRun& run, const Pca& pca, const std::vector<double>& projected) {
  const int64_t n = static_cast<int64_t>(run.trials.size());
  const int64_t S = run.totalSteps();
  const int64_t k = static_cast<int64_t>(pca.components.size());
  MNEMO_CHECK(projected.size() == static_cast<size_t>(S * k), "projection has " << projected.size() << " values");

  std::vector<float> logits, inputs, targets;
  std::vector<int64_t> labels, trialIndex;
  std::vector<int64_t> lengths, groundTruth, choice, decisionStep;
  std::vector<uint8_t> correct;
  std::vector<std::vector<double>> params(run.paramNames.size());
  std::vector<std::vector<int64_t>> periods(run.periodNames.size());
  for (int64_t i = 0; i < n; ++i) {
    const TrialRecord& r = run.trials[static_cast<size_t>(i)];
    const Trial& t = r.trial;
    logits.insert(logits.end(), r.logits.begin(), r.logits.end());
    inputs.insert(inputs.end(), t.inputs.begin(), t.inputs.end());
    labels.insert(labels.end(), t.labels.begin(), t.labels.end());
    targets.insert(targets.end(), t.targets.begin(), t.targets.end());
    trialIndex.insert(trialIndex.end(), static_cast<size_t>(t.length()), i);
    lengths.push_back(t.length());
    groundTruth.push_back(t.info.groundTruth);
    choice.push_back(r.choice);
    decisionStep.push_back(r.decisionStep);
    correct.push_back(r.correct ? 1 : 0);
    for (size_t p = 0; p < params.size(); ++p) params[p].push_back(t.info.param(run.paramNames[p]));
    for (size_t p = 0; p < periods.size(); ++p) {
      // A task may leave a period out of some trials (PostDecisionWager's pre_sure): -1, -1 then.
      const PeriodSpan* span = t.info.findPeriod(run.periodNames[p]);
      periods[p].push_back(span ? span->start : -1);
      periods[p].push_back(span ? span->end : -1);
    }
  }

  NpzArchive out;
  out.add("hidden", NpyArray::from({S, run.hiddenSize}, run.concatenatedHidden()));
  for (const auto& [name, size] : run.stateSizes) out.add("state_" + name, NpyArray::from({S, size}, run.concatenatedState(name)));
  out.add("logits", NpyArray::from({S, run.outputSize}, logits));
  out.add("inputs", NpyArray::from({S, run.inputSize}, inputs));
  out.add("labels", NpyArray::from({S}, labels));
  if (run.continuous) {
    out.add("targets", NpyArray::from({S, run.outputSize}, targets));
    out.add("mse", NpyArray::scalar<double>(run.meanSquaredError()));
  }
  out.add("trial_index", NpyArray::from({S}, trialIndex));
  out.add("trial_start", NpyArray::from({n}, run.trialStarts()));
  out.add("length", NpyArray::from({n}, lengths));
  out.add("ground_truth", NpyArray::from({n}, groundTruth));
  out.add("choice", NpyArray::from({n}, choice));
  out.add("correct", NpyArray::from({n}, correct));
  out.add("decision_step", NpyArray::from({n}, decisionStep));
  for (size_t p = 0; p < params.size(); ++p) out.add(run.paramNames[p], NpyArray::from({n}, params[p]));
  for (size_t p = 0; p < periods.size(); ++p)
    out.add("period_" + run.periodNames[p], NpyArray::from({n, 2}, periods[p]));

  std::vector<double> components;
  for (const std::vector<double>& c : pca.components) components.insert(components.end(), c.begin(), c.end());
  const int64_t H = static_cast<int64_t>(pca.features);
  out.add("pca_mean", NpyArray::from({H}, pca.mean));
  out.add("pca_components", NpyArray::from({k, H}, components));
  out.add("pca_explained_variance", NpyArray::from({k}, pca.explainedVariance));
  out.add("pca_explained_variance_ratio", NpyArray::from({k}, pca.explainedVarianceRatio));
  out.add("pca_projection", NpyArray::from({S, k}, projected));

  out.add("dt", NpyArray::scalar<double>(run.dt));
  out.add("seed", NpyArray::scalar<int64_t>(static_cast<int64_t>(run.seed)));
  out.add("accuracy", NpyArray::scalar<double>(run.decisionAccuracy()));
  return out;
}

}  // namespace mnemo
