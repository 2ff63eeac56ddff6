// The notebook's model, compiled in: examples/notebook_rnn.mnemo is the one copy of it. The build
// turns the file into bytes (cmake/EmbedText.cmake, a generated .cpp in the build directory), so
// `mnemo train` runs it by default from any directory and the file and the binary cannot differ.
#include "frontend/dsl/model.h"

#include <cstddef>

namespace mnemo {

// Defined in the generated <build>/training/embedded/notebook_rnn_text.cpp.
extern const unsigned char kNotebookModelText[];
extern const std::size_t kNotebookModelTextSize;

const std::string& notebookModelSource() {
  static const std::string text(reinterpret_cast<const char*>(kNotebookModelText), kNotebookModelTextSize);
  return text;
}

Model loadNotebookModel(const ModelOptions& opts) { return parseModel(notebookModelSource(), kNotebookModelFile, opts); }

}  // namespace mnemo
