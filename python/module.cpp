// The extension mnemo._mnemo: the public C++ API (include/mnemo/) for Python. python/mnemo/__init__.py
// re-exports it. Arrays leave as NumPy arrays that own mnemo's buffer (no copy) and arrive as
// views of NumPy's buffer, checked for dtype and shape before use. mnemo's one-line errors become
// mnemo.Error (a ValueError); training runs with the GIL released and its report lines go to
// Python's sys.stdout (so Jupyter shows them).
#include <pybind11/pybind11.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <optional>
#include <ostream>
#include <streambuf>

#include "mnemo/mnemo.h"

namespace py = pybind11;
using namespace mnemo::api;

namespace {

// ---- arrays -----------------------------------------------------------------------------------

py::dtype numpyType(DType t) {
  switch (t) {
    case DType::Float32: return py::dtype::of<float>();
    case DType::Float64: return py::dtype::of<double>();
    case DType::Int32: return py::dtype::of<int32_t>();
    case DType::Int64: return py::dtype::of<int64_t>();
    case DType::UInt8: return py::dtype::of<uint8_t>();
  }
  throw std::logic_error("unknown dtype");
}

/// A NumPy array that owns \p a's buffer (moved, not copied).
py::array toNumpy(Array&& a) {
  auto* owned = new Array(std::move(a));
  py::capsule free(owned, [](void* p) { delete static_cast<Array*>(p); });
  return py::array(numpyType(owned->dtype), owned->shape, owned->bytes.data(), free);
}

/// A 1-d NumPy array that owns \p values (moved, not copied).
template <typename T>
py::array toNumpy(std::vector<T>&& values) {
  auto* owned = new std::vector<T>(std::move(values));
  py::capsule free(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), free);
}

py::dict toDict(std::map<std::string, Array>&& arrays) {
  py::dict d;
  for (auto& [name, a] : arrays) d[py::str(name)] = toNumpy(std::move(a));
  return d;
}

/// A view of \p a for mnemo (C order, native byte order; a non-contiguous or byte-swapped array or a
/// list is copied to such an array first, into \p keep). Throws mnemo.Error for a dtype mnemo does not take.
ArrayRef fromNumpy(const py::object& a, const char* what, py::array& keep) {
  keep = py::array::ensure(a, py::array::c_style);  // a list becomes an array here; its dtype is checked below
  if (!keep) throw std::runtime_error(std::string(what) + ": expected an array");
  if (!keep.dtype().attr("isnative").cast<bool>())  // e.g. '>f4': mnemo reads native byte order only
    keep = py::array::ensure(keep.attr("astype")(keep.dtype().attr("newbyteorder")("=")), py::array::c_style);
  const py::dtype dt = keep.dtype();
  std::optional<DType> type;
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'f' && size == 4) type = DType::Float32;
  if (kind == 'f' && size == 8) type = DType::Float64;
  if (kind == 'i' && size == 4) type = DType::Int32;
  if (kind == 'i' && size == 8) type = DType::Int64;
  if (kind == 'u' && size == 1) type = DType::UInt8;
  if (!type)
    throw std::runtime_error(std::string(what) + ": dtype " + py::str(py::handle(dt)).cast<std::string>() +
                             " is not one mnemo takes");
  ArrayRef ref;
  ref.dtype = *type;
  ref.shape.assign(keep.shape(), keep.shape() + keep.ndim());
  ref.data = keep.data();
  return ref;
}

// ---- report lines to sys.stdout ---------------------------------------------------------------

/// A stream buffer that hands every complete line to Python's sys.stdout.write, taking the GIL
/// only for that (training runs without it).
class PythonLines : public std::streambuf {
 public:
  ~PythonLines() override { sync(); }

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return 0;
    line_.push_back(static_cast<char>(c));
    if (c == '\n') sync();
    return c;
  }
  int sync() override {
    if (line_.empty()) return 0;
    py::gil_scoped_acquire gil;
    try {
      py::object out = py::module_::import("sys").attr("stdout");
      out.attr("write")(line_);
      out.attr("flush")();
    } catch (py::error_already_set&) {  // a closed or odd sys.stdout loses the line, not the run
      PyErr_Clear();
    }
    line_.clear();
    return 0;
  }

 private:
  std::string line_;
};

// ---- arguments --------------------------------------------------------------------------------

/// model=None (the notebook's), a Model, or a path to a .mnemo file.
Model modelArgument(const py::object& model) {
  if (model.is_none()) return Model::notebook();
  if (py::isinstance<Model>(model)) return model.cast<Model>();
  if (py::isinstance<py::str>(model)) return Model::fromFile(model.cast<std::string>());
  throw py::type_error("model must be a mnemo.Model, a path to a .mnemo file or None (the notebook's RNN)");
}

// ---- errors in the caller's words -------------------------------------------------------------

/// mnemo's core names a setting by its command-line flag ("--steps is ..."), a model size by the
/// model's own name for it ("size override H ..."): a Python caller passed a keyword, which the
/// message names instead. Only a message that starts with one of these is changed.
std::string inKeywords(const std::string& message) {
  static const std::pair<const char*, const char*> kKeywords[] = {
      {"--steps ", "steps "},          {"--lr ", "lr "},
      {"--print-every ", "print_every "}, {"--state ", "state "},
      {"size override H ", "hidden "}, {"the batch size B ", "batch_size "},
      {"the batch size ", "batch_size "}, {"the sequence length T ", "seq_len "},
      {"the sequence length ", "seq_len "}};
  std::string out = message;
  for (const auto& [core, keyword] : kKeywords)
    if (out.rfind(core, 0) == 0) {
      out = keyword + out.substr(std::string(core).size());
      break;
    }
  // The memory limit is mnemo's --max-memory flag, which Python has no keyword for.
  const std::string flagAdvice = "; raise it with --max-memory)";
  if (const size_t at = out.find(flagAdvice); at != std::string::npos) out.replace(at, flagAdvice.size(), ")");
  return out;
}

/// Refuses a keyword below \p least, naming it (mnemo's core would blame the model file's line).
void checkAtLeast(const char* keyword, int64_t value, int64_t least) {
  if (value < least)
    throw std::runtime_error(std::string(keyword) + " must be at least " + std::to_string(least) + ", got " +
                             std::to_string(value));
}

/// Checks the sizes a caller passed before they reach the model: batch_size, seq_len, hidden.
void checkSizes(int64_t batch, int64_t seqLen, std::optional<int64_t> hidden) {
  checkAtLeast("batch_size", batch, 1);
  checkAtLeast("seq_len", seqLen, 1);
  if (hidden) checkAtLeast("hidden", *hidden, 1);
}

TrainSettings settingsArgument(const std::string& task, int64_t steps, int64_t batch, int64_t seqLen,
                               std::optional<int64_t> hidden, double lr, const std::string& optimizer,
                               double momentum, uint64_t seed, bool fuse, int threads) {
  checkSizes(batch, seqLen, hidden);
  // TrainingSession took any lr (a NaN or negative one trained on silently); train() named it --lr.
  if (!(lr > 0) || !std::isfinite(lr)) throw std::runtime_error("lr must be a positive number, got " + py::str(py::float_(lr)).cast<std::string>());
  TrainSettings s;
  s.task = task;
  s.steps = steps;
  s.batch = batch;
  s.seqLen = seqLen;
  if (hidden) s.sizes["H"] = *hidden;
  s.lr = lr;
  s.optimizer = optimizer;
  s.momentum = momentum;
  s.seed = seed;
  s.fuse = fuse;
  s.threads = threads;
  return s;
}

/// What mnemo.train returns: the per-step arrays made once, owning the history's vectors.
struct PyHistory {
  py::array steps, loss, accuracy;
  TrainedModel model;
  double seconds = 0, compileMilliseconds = 0;
  int64_t kernelsPerStep = 0;

  PyHistory(TrainOutcome&& out)
      : steps(toNumpy(std::move(out.history.steps))),
        loss(toNumpy(std::move(out.history.loss))),
        accuracy(toNumpy(std::move(out.history.accuracy))),
        model(std::move(out.model)),
        seconds(out.history.seconds),
        compileMilliseconds(out.history.compileMilliseconds),
        kernelsPerStep(out.history.kernelsPerStep) {}
};

}  // namespace

PYBIND11_MODULE(_mnemo, m) {
  m.doc() = "mnemo: train and inspect recurrent networks on cognitive tasks (see help(mnemo))";
  m.attr("__version__") = version();

  static py::exception<std::runtime_error> error(m, "Error", PyExc_ValueError);
  error.attr("__module__") = "mnemo";
  error.doc() = "mnemo's one-line error for bad input: a malformed model, an unknown task, a wrong array shape "
                "or dtype, a corrupt checkpoint, a NaN loss. A subclass of ValueError.";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const py::builtin_exception& e) {  // pybind11's own (TypeError, ...) are runtime_errors too
      e.set_error();
    } catch (const std::runtime_error& e) {
      PyErr_SetString(error.ptr(), inKeywords(e.what()).c_str());
    }
  });

  m.def("tasks", &taskNames, "The names of every task mnemo knows (Dataset and train take them).");

  py::class_<Model>(m, "Model", "A model in mnemo's model language (docs/DSL.md), checked when it is made.")
      .def_static("notebook", &Model::notebook, "The notebook's rate RNN (examples/notebook_rnn.mnemo).")
      .def_static("from_file", &Model::fromFile, py::arg("path"), "Reads and checks a .mnemo file.")
      .def_static("from_text", &Model::fromText, py::arg("text"), py::arg("name") = "<text>",
                  "Checks model text; `name` stands for the file in error messages (name:line:col: ...).")
      .def_property_readonly("source", &Model::source, "The model's text.")
      .def_property_readonly("file", &Model::file, "Where the text came from.")
      .def_property_readonly("name", &Model::name, "The name the model declares.")
      .def_property_readonly("sizes", &Model::sizes, "The declared sizes (T and B are the run's).")
      .def(
          "graph",
          [](const Model& self, const std::string& format, int64_t batch, int64_t seqLen, std::optional<int64_t> hidden,
             bool train, bool fuse) {
            if (format != "ir" && format != "dot") throw std::runtime_error("format must be 'ir' or 'dot', got '" + format + "'");
            checkSizes(batch, seqLen, hidden);
            CompileOptions o;
            o.batch = batch;
            o.seqLen = seqLen;
            if (hidden) o.sizes["H"] = *hidden;
            o.train = train;
            o.fuse = fuse;
            return self.graphText(o, format == "dot" ? GraphFormat::Dot : GraphFormat::IrText);
          },
          py::arg("format") = "ir", py::arg("batch_size") = 16, py::arg("seq_len") = 100, py::arg("hidden") = py::none(),
          py::arg("train") = true, py::arg("fuse") = true,
          "The graph after the optimizing passes, as IR text (format='ir', what `mnemo dump` prints) or\n"
          "Graphviz DOT (format='dot'). train=False gives the inference graph, fuse=False one kernel per op.")
      .def("__repr__", [](const Model& self) { return "<mnemo.Model " + self.name() + " from " + self.file() + ">"; });

  py::class_<Dataset>(m, "Dataset",
                      "Batches of a task's trials, as mnemo.train draws them for the same task, sizes and seed\n"
                      "(neurogym's streaming Dataset). next() returns (inputs, labels): float32 [seq_len, batch_size,\n"
                      "observations] and int64 [seq_len, batch_size], time-major like neurogym's.")
      .def(py::init<const std::string&, int64_t, int64_t, uint64_t>(), py::arg("task") = "DelayComparison-v0",
           py::arg("batch_size") = 16, py::arg("seq_len") = 100, py::arg("seed") = 0)
      .def(
          "next",
          [](Dataset& self) {
            Batch b = self.next();
            return py::make_tuple(toNumpy(std::move(b.inputs)), toNumpy(std::move(b.labels)));
          },
          "The next window: (inputs, labels).")
      .def("__call__", [](Dataset& self) {
            Batch b = self.next();
            return py::make_tuple(toNumpy(std::move(b.inputs)), toNumpy(std::move(b.labels)));
          }, "Same as next() (neurogym's dataset() call).")
      .def_property_readonly("task", &Dataset::task)
      .def_property_readonly("batch_size", &Dataset::batch)
      .def_property_readonly("seq_len", &Dataset::seqLen)
      .def_property_readonly("observations", &Dataset::observations, "Input channels (the model's I).")
      .def_property_readonly("actions", &Dataset::actions, "Label classes including 0 = fixate (the model's O).");

  py::class_<TrainedModel>(m, "TrainedModel",
                           "A trained model: its source, settings, parameters, optimizer state and step (a checkpoint\n"
                           "in memory). mnemo.load(path) reads one that mnemo train or save() wrote.")
      .def_static("load", &TrainedModel::load, py::arg("path"), "Reads a checkpoint.npz.")
      .def("save", &TrainedModel::save, py::arg("path"), "Writes a checkpoint.npz (NumPy and mnemo analyze read it).")
      .def_property_readonly("step", &TrainedModel::step, "Optimizer steps taken.")
      .def_property_readonly("task", &TrainedModel::task)
      .def_property_readonly("model", &TrainedModel::model, "The mnemo.Model it was trained from.")
      .def_property_readonly("params", [](const TrainedModel& self) { return toDict(self.params()); },
                             "The trained parameters: {name: float32 array}.")
      .def_property_readonly("optimizer_state", [](const TrainedModel& self) { return toDict(self.optimizerState()); },
                             "The optimizer's state: {name: float32 array} (Adam: <param>.m, <param>.v).")
      .def(
          "run_trials",
          [](const TrainedModel& self, int64_t trials, uint64_t seed, const std::string& state) {
            Trials t;
            {
              py::gil_scoped_release release;
              t = runTrials(self, trials, seed, state);
            }
            py::dict d;
            for (auto& [name, a] : t.arrays) d[py::str(name)] = toNumpy(std::move(a));
            return d;
          },
          py::arg("trials") = 100, py::arg("seed") = 0, py::arg("state") = "",
          "Runs `trials` single trials of the model's task (drawn from `seed`), each at batch 1 and its own\n"
          "length from the initial state, as the notebook's analysis does, and fits a 2-component PCA.\n"
          "Returns a dict of NumPy arrays (what `mnemo analyze` writes to activity.npz), among them:\n"
          "  hidden [S, H]    the hidden state after every step of every trial (the notebook's activity)\n"
          "  trial_start [N]  first row of each trial: np.split(d['hidden'], d['trial_start'][1:])\n"
          "  ground_truth, choice, correct [N]; v1, v2 [N] (DelayComparison-v0's stimuli)\n"
          "  inputs [S, I], labels [S], logits [S, O]\n"
          "  pca_projection [S, 2], pca_explained_variance_ratio [2]; accuracy (decision accuracy)\n"
          "`state` picks the state analysed as hidden (default: the model's first).")
      .def("__repr__", [](const TrainedModel& self) {
        return "<mnemo.TrainedModel " + self.model().name() + " on " + self.task() + ", step " + std::to_string(self.step()) + ">";
      });

  py::class_<PyHistory>(m, "History",
                        "What mnemo.train returns: per step `steps`, `loss`, `accuracy` (NumPy arrays; accuracy is NaN\n"
                        "for a batch without a decision), `model` (the mnemo.TrainedModel), `seconds` (the loop's wall\n"
                        "time, data included), `compile_ms`, `kernels_per_step`.")
      .def_readonly("steps", &PyHistory::steps)
      .def_readonly("loss", &PyHistory::loss)
      .def_readonly("accuracy", &PyHistory::accuracy)
      .def_readonly("model", &PyHistory::model)
      .def_readonly("seconds", &PyHistory::seconds)
      .def_readonly("compile_ms", &PyHistory::compileMilliseconds)
      .def_readonly("kernels_per_step", &PyHistory::kernelsPerStep)
      .def("__repr__", [](const PyHistory& h) {
        return "<mnemo.History of " + std::to_string(py::len(h.steps)) + " steps>";
      });

  m.def(
      "train",
      [](const py::object& model, const std::string& task, int64_t steps, int64_t batch, int64_t seqLen,
         std::optional<int64_t> hidden, double lr, const std::string& optimizer, double momentum, uint64_t seed, bool fuse,
         int threads, int64_t printEvery, const std::string& outDir, bool verbose) {
        Model source = modelArgument(model);
        TrainSettings s = settingsArgument(task, steps, batch, seqLen, hidden, lr, optimizer, momentum, seed, fuse, threads);
        s.printEvery = printEvery;
        s.outDir = outDir;
        std::optional<TrainOutcome> out;
        {
          py::gil_scoped_release release;
          PythonLines lines;
          std::ostream log(&lines);
          out = train(source, s, verbose ? &log : nullptr);
        }
        return PyHistory(std::move(*out));
      },
      py::arg("model") = py::none(), py::arg("task") = "DelayComparison-v0", py::arg("steps") = 2000,
      py::arg("batch_size") = 16, py::arg("seq_len") = 100, py::arg("hidden") = py::none(), py::arg("lr") = 1e-3,
      py::arg("optimizer") = "adam", py::arg("momentum") = 0.9, py::arg("seed") = 0, py::arg("fuse") = true,
      py::arg("threads") = 1, py::arg("print_every") = 100, py::arg("out_dir") = "", py::arg("verbose") = true,
      R"(Trains a model as `mnemo train` does: the same batches, printout and speed.

model        None (the notebook's rate RNN), a mnemo.Model, or the path of a .mnemo file
task         the task to train on (mnemo.tasks() lists them); it binds the model's sizes I and O
steps        optimizer steps; batch_size, seq_len: B and T of every batch
hidden       overrides the model's size H
lr, optimizer ('adam' or 'sgd'), momentum (sgd's), seed (initialisation and data)
fuse         the optimizing passes (False: one kernel per op); threads: CPU threads
print_every  a 'Step N, Loss L, Acc A' line (100-step running means) every N steps, to sys.stdout,
             when verbose; out_dir: also write a run directory (checkpoint.npz, metrics.csv, ...);
             one that holds a run already is refused, never replaced

Returns a mnemo.History: .steps, .loss, .accuracy (NumPy arrays, one value per step), .model (the
mnemo.TrainedModel: save(), params, run_trials()), .seconds. The GIL is released while training.
Bad input raises mnemo.Error (a ValueError) with mnemo's one-line message.

>>> h = mnemo.train(steps=200)
>>> h.accuracy[-1], h.model.step)");

  py::class_<TrainingSession>(m, "TrainingSession",
                              "One optimizer step at a time on your own batches. The model is compiled for batch_size x\n"
                              "seq_len (the task only binds the sizes I and O); parameters start from seed's initialisation.")
      .def(py::init([](const py::object& model, const std::string& task, int64_t batch, int64_t seqLen,
                       std::optional<int64_t> hidden, double lr, const std::string& optimizer, double momentum,
                       uint64_t seed, bool fuse, int threads) {
             return new TrainingSession(modelArgument(model), settingsArgument(task, 1, batch, seqLen, hidden, lr, optimizer,
                                                                               momentum, seed, fuse, threads));
           }),
           py::arg("model") = py::none(), py::arg("task") = "DelayComparison-v0", py::arg("batch_size") = 16,
           py::arg("seq_len") = 100, py::arg("hidden") = py::none(), py::arg("lr") = 1e-3, py::arg("optimizer") = "adam",
           py::arg("momentum") = 0.9, py::arg("seed") = 0, py::arg("fuse") = true, py::arg("threads") = 1)
      .def(
          "step",
          [](TrainingSession& self, const py::object& inputs, const py::object& labels) {
            py::array keepInputs, keepLabels;
            ArrayRef x = fromNumpy(inputs, "inputs", keepInputs), y = fromNumpy(labels, "labels", keepLabels);
            py::gil_scoped_release release;
            return self.step(x, y);
          },
          py::arg("inputs"), py::arg("labels"),
          "One step on inputs float32 [seq_len, batch_size, I] and labels int64 [seq_len, batch_size] (values in\n"
          "[0, classes)); returns the loss. A wrong dtype, shape or label, or a NaN or infinite input, raises\n"
          "mnemo.Error before anything runs.")
      .def_property_readonly("accuracy", &TrainingSession::lastAccuracy, "Decision accuracy of the last step.")
      .def_property_readonly("steps_taken", &TrainingSession::stepsTaken)
      .def_property_readonly("input_shape", &TrainingSession::inputShape)
      .def_property_readonly("classes", &TrainingSession::classes)
      .def("snapshot", &TrainingSession::snapshot, "The parameters and optimizer state now, as a mnemo.TrainedModel.");
}
