// api::Model: model source checked on arrival, and its compiled graph printed for inspection.

#include "training/compiled_model.h"
#include "frontend/dsl/model.h"
#include "support/error.h"
#include "support/text.h"
#include "graph/passes/pass_manager.h"
#include "graph/printer.h"
#include "mnemo/model.h"

namespace mnemo::api {

Model::Model(std::string source, std::string file) : source_(std::move(source)), file_(std::move(file)) {
  mnemo::Model parsed = parseModel(source_, file_);  // every error in the text, now
  name_ = parsed.name;
  sizes_ = parsed.sizes;
  sizes_.erase("T");
  sizes_.erase("B");
}

Model Model::notebook() { return Model(notebookModelSource(), kNotebookModelFile); }

Model Model::fromFile(const std::string& path) {
  return Model(readFileText(path, path), path);
}

Model Model::fromText(const std::string& text, const std::string& file) { return Model(text, file); }

std::string Model::graphText(const CompileOptions& o, GraphFormat format) const {
  ModelOptions opts;
  opts.batch = o.batch;
  opts.seqLen = o.seqLen;
  opts.sizeOverrides = o.sizes;
  mnemo::Model m = parseModel(source_, file_, opts);
  CompileSettings settings;
  settings.train = o.train;
  settings.fuse = o.fuse;
  PassManager pm;
  buildPipeline(pipelineFor(settings), pm);
  pm.run(*m.graph);
  return format == GraphFormat::Dot ? printDot(*m.graph) : printGraph(*m.graph);
}

}  // namespace mnemo::api
