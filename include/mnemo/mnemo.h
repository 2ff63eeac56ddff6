// mnemo's public C++ API: everything an embedding program needs, and nothing of the compiler's
// internals (no oneDNN, Eigen or IR header comes along). Include this one header and link
// mnemo::mnemo (find_package(mnemo CONFIG REQUIRED)):
//
//   mnemo::api::Model model = mnemo::api::Model::notebook();     // or fromFile / fromText
//   mnemo::api::TrainSettings settings;                         // the notebook's defaults
//   settings.steps = 100;
//   mnemo::api::TrainOutcome out = mnemo::api::train(model, settings, &std::cout);
//   out.model.save("checkpoint.npz");                           // NumPy reads it
//   mnemo::api::Trials trials = mnemo::api::runTrials(out.model, 100, /*seed=*/0);
//
// The parts:
//   mnemo/array.h     Array: a dtype, a shape and C-order bytes (what crosses the API)
//   mnemo/model.h     Model: a model's source (the built-in notebook RNN, a .mnemo file or text)
//                     and its compiled graph as IR text or Graphviz DOT
//   mnemo/dataset.h   Dataset: batches of a task's trials, as training draws them; taskNames()
//   mnemo/training.h  train() and its History; TrainingSession for step-by-step training on
//                     caller's arrays; TrainedModel: a checkpoint in memory (load, save, params)
//   mnemo/trials.h    runTrials(): single trials through a trained model, activity and PCA
//   mnemo/version.h   MNEMO_VERSION_STRING and mnemo::api::version()
//
// Errors: every function reports bad input (an unreadable or malformed model, an unknown task,
// a wrong array shape, a corrupt checkpoint, a NaN loss) by throwing std::runtime_error whose
// what() is one line naming the problem (file:line:col where there is one).
#pragma once

#include "mnemo/array.h"
#include "mnemo/dataset.h"
#include "mnemo/model.h"
#include "mnemo/training.h"
#include "mnemo/trials.h"
#include "mnemo/version.h"
