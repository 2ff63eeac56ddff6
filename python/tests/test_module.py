"""Tests of the Python module mnemo (ctest python_module): arrays, training against the CLI,
single trials, checkpoints, graphs, and one test per kind of bad input.

Oracles: the command-line program (the same training must give the same loss and accuracy to the
printed digits), the run's own checkpoint read back with NumPy, and the dataset's definition."""
import io
import os
import re
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

import numpy as np

import mnemo

SOURCE = os.environ.get("MNEMO_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
MNEMO = os.environ.get("MNEMO_BINARY", "")


class DatasetTest(unittest.TestCase):
    def test_batches_are_numpy_arrays_of_the_task(self):
        data = mnemo.Dataset("DelayComparison-v0", batch_size=16, seq_len=100, seed=0)
        x, y = data.next()
        self.assertEqual((x.dtype, x.shape), (np.float32, (100, 16, 2)))
        self.assertEqual((y.dtype, y.shape), (np.int64, (100, 16)))
        self.assertEqual((data.observations, data.actions), (2, 3))
        self.assertTrue(set(np.unique(y)) <= {0, 1, 2} and (y > 0).any())
        # Fixation input is 1 wherever the label is 0 during a trial and the stream is seeded.
        x2, y2 = mnemo.Dataset("DelayComparison-v0", seed=0).next()
        np.testing.assert_array_equal(x, x2)
        np.testing.assert_array_equal(y, y2)
        x3, _ = data()
        self.assertFalse(np.array_equal(x, x3))

    def test_arrays_own_their_memory(self):
        x, _ = mnemo.Dataset(seed=1).next()
        self.assertTrue(x.flags["C_CONTIGUOUS"] and x.flags["WRITEABLE"])
        x[:] = 0  # the array's buffer is its own, not the dataset's
        self.assertEqual(float(np.abs(x).sum()), 0.0)

    def test_task_names(self):
        self.assertIn("DelayComparison-v0", mnemo.tasks())
        self.assertIn("PerceptualDecisionMaking-v0", mnemo.tasks())


class TrainTest(unittest.TestCase):
    def test_train_matches_the_command_line(self):
        out = io.StringIO()
        with redirect_stdout(out):
            h = mnemo.train(steps=200, seed=0)
        printed = out.getvalue()
        self.assertIn("Step 100, Loss", printed)
        self.assertIn("Step 200, Loss", printed)
        np.testing.assert_array_equal(h.steps, np.arange(1, 201))
        self.assertEqual((h.loss.dtype, h.loss.shape, h.accuracy.shape), (np.float64, (200,), (200,)))
        self.assertLess(h.loss[-20:].mean(), h.loss[:20].mean())
        self.assertEqual(h.model.step, 200)
        if not MNEMO:
            self.skipTest("MNEMO_BINARY not set")
        with tempfile.TemporaryDirectory() as d:
            cli = subprocess.run([MNEMO, "train", "--steps", "200", "--no-progress", "--out", d],
                                 capture_output=True, text=True, check=True).stdout
            step_lines = lambda text: re.findall(r"Step \d+, Loss [\d.]+, Acc [\d.]+", text)
            self.assertEqual(step_lines(printed), step_lines(cli))
            ckpt = np.load(os.path.join(d, "checkpoint.npz"))
            for name, value in h.model.params.items():
                np.testing.assert_array_equal(value, ckpt["param/" + name], err_msg=name)

    def test_session_steps_on_numpy_batches_like_train(self):
        data = mnemo.Dataset(seed=0)
        session = mnemo.TrainingSession(seed=0)
        self.assertEqual(session.input_shape, [100, 16, 2])
        losses = [session.step(*data.next()) for _ in range(5)]
        h = mnemo.train(steps=5, seed=0, verbose=False)
        np.testing.assert_allclose(losses, h.loss, rtol=0, atol=0)
        self.assertEqual(session.steps_taken, 5)
        snap = session.snapshot().params
        for name, value in h.model.params.items():
            np.testing.assert_array_equal(value, snap[name], err_msg=name)
        # A Fortran-ordered copy is taken in C order, the same batch.
        x, y = mnemo.Dataset(seed=3).next()
        a = mnemo.TrainingSession(seed=0).step(np.asfortranarray(x), y)
        b = mnemo.TrainingSession(seed=0).step(x, y)
        self.assertEqual(a, b)

    def test_checkpoint_round_trip(self):
        h = mnemo.train(steps=3, verbose=False)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "ckpt.npz")
            h.model.save(path)
            back = mnemo.load(path)
            self.assertEqual(back.step, 3)
            self.assertEqual(back.model.source, mnemo.Model.notebook().source)
            stored = np.load(path)
            for name, value in h.model.params.items():
                np.testing.assert_array_equal(back.params[name], value)
                np.testing.assert_array_equal(stored["param/" + name], value)
            for name, value in h.model.optimizer_state.items():
                np.testing.assert_array_equal(stored["state/" + name], value)
            self.assertEqual(h.model.params["w_rr"].shape, (64, 64))

    def test_single_trials(self):
        model = mnemo.train(steps=50, verbose=False).model
        t = model.run_trials(trials=10, seed=0)
        starts, hidden = t["trial_start"], t["hidden"]
        self.assertEqual(hidden.dtype, np.float32)
        self.assertEqual(hidden.shape[1], 64)
        self.assertEqual(len(starts), 10)
        self.assertEqual(int(t["length"].sum()), hidden.shape[0])
        self.assertTrue((hidden >= 0).all())  # a ReLU network's hidden state
        # The PCA is the centred data on its components.
        centred = hidden.astype(np.float64) - t["pca_mean"]
        np.testing.assert_allclose(centred @ t["pca_components"].T, t["pca_projection"], atol=1e-6)
        self.assertAlmostEqual(float(t["accuracy"]), float(t["correct"].mean()))

    def test_graph_text_and_dot(self):
        m = mnemo.Model.notebook()
        self.assertEqual(m.name, "rnn")
        self.assertEqual(m.sizes["H"], 64)
        ir = m.graph(format="ir", batch_size=2, seq_len=3, hidden=4, train=False)
        self.assertIn("graph @rnn", ir)
        self.assertIn("matmul", ir)
        dot = m.graph(format="dot", batch_size=2, seq_len=3, hidden=4, train=False)
        self.assertTrue(dot.startswith("digraph"))
        if MNEMO:
            cli = subprocess.run([MNEMO, "dump", "notebook", "--pipeline", "infer", "--seq-len", "3", "--batch", "2",
                                  "--hidden", "4"], capture_output=True, text=True, check=True).stdout
            body = lambda text: [l for l in text.splitlines() if not l.startswith("//")]
            self.assertEqual(body(ir), body(cli)[1:] if body(cli)[0].startswith("mnemo dump") else body(cli))

    def test_model_from_file_and_text(self):
        path = os.path.join(SOURCE, "examples", "gru.mnemo")
        m = mnemo.Model.from_file(path)
        self.assertEqual(m.file, path)
        same = mnemo.Model.from_text(m.source, "gru")
        self.assertEqual(same.name, m.name)
        h = mnemo.train(model=path, steps=2, verbose=False)
        self.assertEqual(len(h.loss), 2)

    def test_help_is_useful(self):
        self.assertIn("Returns a mnemo.History", mnemo.train.__doc__)
        self.assertIn("steps", mnemo.train.__doc__)
        self.assertIn("hidden [S, H]", mnemo.TrainedModel.run_trials.__doc__)


class BadInputTest(unittest.TestCase):
    """Each bad input raises mnemo.Error (a ValueError) with mnemo's one-line message."""

    def check(self, pattern, fn, *args, **kwargs):
        with self.assertRaises(ValueError) as caught:
            fn(*args, **kwargs)
        message = str(caught.exception)
        self.assertNotIn("\n", message)
        self.assertRegex(message, pattern)
        return caught.exception

    def test_unknown_task(self):
        e = self.check(r"DelayComparisonn-v0.*DelayComparison-v0", mnemo.Dataset, "DelayComparisonn-v0")
        self.assertIsInstance(e, mnemo.Error)
        self.check(r"Nope-v0", mnemo.train, task="Nope-v0", steps=1, verbose=False)

    def test_bad_model_text(self):
        self.check(r"^bad\.mnemo:\d+:\d+: ", mnemo.Model.from_text, "model m\nsize H = \n", "bad.mnemo")
        source = mnemo.Model.notebook().source.replace("relu(", "relux(")
        self.check(r"^x\.mnemo:\d+:\d+: .*relux", mnemo.Model.from_text, source, "x.mnemo")
        self.check(r"no/such\.mnemo", mnemo.Model.from_file, "no/such.mnemo")

    def test_wrong_shape(self):
        session = mnemo.TrainingSession(seed=0)
        x, y = mnemo.Dataset(seed=0).next()
        self.check(r"^inputs: expected float32 \(100, 16, 2\), got float32 \(100, 16, 3\)$", session.step,
                   np.zeros((100, 16, 3), np.float32), y)
        self.check(r"^labels: expected int64 \(100, 16\), got int64 \(16, 100\)$", session.step, x, y.T.copy())
        self.check(r"^labels: value 7 at position 0 is outside \[0, 3\)", session.step, x, np.full_like(y, 7))
        self.assertEqual(session.steps_taken, 0)  # nothing ran

    def test_wrong_dtype(self):
        session = mnemo.TrainingSession(seed=0)
        x, y = mnemo.Dataset(seed=0).next()
        self.check(r"^inputs: expected float32 \(100, 16, 2\), got float64 \(100, 16, 2\)$", session.step,
                   x.astype(np.float64), y)
        self.check(r"^labels: expected int64 \(100, 16\), got int32", session.step, x, y.astype(np.int32))
        self.check(r"^inputs: dtype complex64 is not one mnemo takes$", session.step, x.astype(np.complex64), y)
        self.check(r"^inputs: expected float32 \(100, 16, 2\), got int64 \(2,\)$", session.step, [1, 2], y)
        self.check(r"^labels: dtype object is not one mnemo takes$", session.step, x, [None])

    def test_non_finite_inputs(self):
        # A NaN input left the loss finite (relu maps NaN to 0) but made w_ir NaN.
        session = mnemo.TrainingSession(seed=0)
        x, y = mnemo.Dataset(seed=0).next()
        for bad in (np.nan, np.inf, -np.inf):
            x_bad = x.copy()
            x_bad[3, 5, 1] = bad
            self.check(r"^inputs: value -?(nan|inf) at \(t 3, b 5, channel 1\) is not a finite number$", session.step,
                       x_bad, y)
        self.assertEqual(session.steps_taken, 0)  # nothing ran
        self.assertTrue(all(np.isfinite(v).all() for v in session.snapshot().params.values()))

    def test_overflowing_update(self):
        # Inputs of 1e38 overflow Adam's second moment while the loss stays finite: the step says so
        # (as mnemo train does) instead of leaving an infinite optimizer state behind without a word.
        session = mnemo.TrainingSession(batch_size=2, seq_len=5, hidden=8, seed=0)
        self.check(r"^step 1: optimizer state %w_ir\.v holds NaN or infinite values$", session.step,
                   np.full((5, 2, 2), 1e38, np.float32), np.zeros((5, 2), np.int64))

    def test_byte_swapped_arrays_are_read_by_value(self):
        # A big-endian array ('>f4', '>i8') was read as if native: other numbers, silently.
        x, y = mnemo.Dataset(seed=0).next()
        native, swapped = mnemo.TrainingSession(seed=0), mnemo.TrainingSession(seed=0)
        self.assertEqual(native.step(x, y), swapped.step(x.astype(">f4"), y.astype(">i8")))
        np.testing.assert_array_equal(native.snapshot().params["w_ir"], swapped.snapshot().params["w_ir"])

    def test_model_path_that_is_a_directory(self):
        with tempfile.TemporaryDirectory() as d:
            self.check("^" + re.escape(d) + r": it is a directory, not a file$", mnemo.Model.from_file, d)

    def test_bad_settings_and_files(self):
        self.check(r"steps", mnemo.train, steps=-1, verbose=False)
        self.check(r"lr", mnemo.train, steps=1, lr=-1.0, verbose=False)
        self.check(r"optimizer", mnemo.train, steps=1, optimizer="rmsprop", verbose=False)
        self.check(r"^threads is 100000, more than the limit of 1024$", mnemo.TrainingSession, threads=100000)
        self.check(r"format must be 'ir' or 'dot'", mnemo.Model.notebook().graph, format="svg")
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.npz")
            with open(bad, "wb") as f:
                f.write(b"not a zip file")
            self.check(re.escape(bad), mnemo.load, bad)
        self.check(r"count must be between 1 and 1000000", mnemo.train(steps=1, verbose=False).model.run_trials, 0)

    def test_errors_name_the_keyword_not_a_flag(self):
        # These named mnemo train's flags (--steps, --print-every, --lr, --state) or blamed the
        # model file's line ("examples/notebook_rnn.mnemo:4:1: batch and sequence length ...").
        tiny = dict(hidden=8, seq_len=5, batch_size=2, verbose=False)
        self.check(r"^steps must be at least 1, got -1$", mnemo.train, steps=-1, verbose=False)
        self.check(r"^steps is 10000000000, more than the limit of 1000000$", mnemo.train, steps=10**10, verbose=False)
        self.check(r"^print_every must be at least 1, got 0$", mnemo.train, steps=1, print_every=0, **tiny)
        self.check(r"^lr must be a positive number, got -1\.0$", mnemo.train, steps=1, lr=-1.0, verbose=False)
        for make in (lambda **kw: mnemo.train(steps=1, verbose=False, **kw), mnemo.TrainingSession,
                     mnemo.Model.notebook().graph):
            self.check(r"^batch_size must be at least 1, got 0$", make, batch_size=0)
            self.check(r"^seq_len must be at least 1, got 0$", make, seq_len=0)
            self.check(r"^hidden must be at least 1, got 0$", make, hidden=0)
        self.check(r"^seq_len is 100000, more than the limit of 10000$", mnemo.TrainingSession, seq_len=100000)
        self.check(r"^hidden is 10000000000, more than the limit of 2147483647$", mnemo.Model.notebook().graph,
                   hidden=10**10)
        self.check(r"^batch_size must be at least 1, got 0$", mnemo.Dataset, batch_size=0)
        # The memory limit's advice named mnemo's --max-memory flag, which Python has no keyword for.
        self.check(r"^the DelayComparison-v0 dataset cache .* more than the limit of .* \(memory available now\)$",
                   mnemo.Dataset, batch_size=2**31 - 1, seq_len=10000)
        # TrainingSession took any lr, a NaN one included, and trained on it.
        self.check(r"^lr must be a positive number, got nan$", mnemo.TrainingSession, lr=float("nan"))
        model = mnemo.train(steps=2, **tiny).model
        self.check(r"^state zz: .*has no state 'zz' \(its states: h\)$", model.run_trials, 2, state="zz")

    def test_empty_path_and_directory_are_named(self):
        # Were ": cannot open file" and "'/tmp/...' is not a valid .npz file (Operation not supported)".
        self.check(r"^an empty file name$", mnemo.Model.from_file, "")
        with tempfile.TemporaryDirectory() as d:
            self.check("^checkpoint " + re.escape(d) + r" is a directory; give the checkpoint\.npz in it$", mnemo.load, d)

    def test_out_dir_holding_a_run_is_not_replaced(self):
        tiny = dict(hidden=8, seq_len=5, batch_size=2, verbose=False)
        with tempfile.TemporaryDirectory() as d:
            mnemo.train(steps=3, out_dir=d, **tiny)
            self.check(r"^run directory .* already holds a run \(checkpoint\.npz at step 3, config\.json, metrics\.csv, "
                       r"training\.svg\); choose another out_dir, or move that run elsewhere first$",
                       mnemo.train, steps=2, out_dir=d, **tiny)
            self.assertEqual(mnemo.load(os.path.join(d, "checkpoint.npz")).step, 3)

    def test_nan_loss(self):
        e = self.check(r"step \d+: .*(NaN|infinite)", mnemo.train, steps=50, lr=1e30, verbose=False)
        self.assertIn("training stopped", str(e))

    def test_wrong_python_type(self):
        with self.assertRaises(TypeError):
            mnemo.train(model=42, steps=1, verbose=False)


if __name__ == "__main__":
    unittest.main()
