// The notebook RNN at the sizes of an RnnConfig: the compiled-in examples/notebook_rnn.mnemo
// with the config's sizes and constants as overrides.
#include "training/rnn_model.h"

#include "frontend/dsl/model.h"

namespace mnemo {

std::unique_ptr<Graph> buildNotebookRnn(const RnnConfig& cfg) {
  ModelOptions o;
  o.batch = cfg.batch;
  o.seqLen = cfg.seqLen;
  o.sizeOverrides = {{"I", cfg.inputs}, {"H", cfg.hidden}, {"O", cfg.outputs}};
  o.constOverrides = {{"dt", cfg.dt}, {"tau", cfg.tau}};
  o.returnHidden = cfg.returnHidden;
  return loadNotebookModel(o).graph;
}

}  // namespace mnemo
