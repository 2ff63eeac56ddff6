"""mnemo: train and inspect recurrent networks on cognitive-neuroscience tasks, from Python.

The notebook "Train RNN to Solve Parametric Working Memory" in a few lines::

    import mnemo
    data = mnemo.Dataset("DelayComparison-v0", batch_size=16, seq_len=100, seed=0)
    inputs, labels = data.next()            # float32 [100, 16, 2], int64 [100, 16]
    history = mnemo.train(steps=2000)        # prints "Step N, Loss L, Acc A" every 100 steps
    history.accuracy[-100:].mean()           # NumPy arrays: history.steps, .loss, .accuracy
    trials = history.model.run_trials(100)   # dict of NumPy arrays: hidden [S, 64], ...
    history.model.save("checkpoint.npz")     # mnemo.load("checkpoint.npz") reads it back

What is here:
    Model          a model in mnemo's language: Model.notebook(), from_file(path), from_text(text);
                   .graph(format='ir'|'dot') is the optimized graph
    Dataset        batches of a task's trials as NumPy arrays; tasks() lists the tasks
    train          trains a model, returns a History (steps, loss, accuracy, model, seconds)
    TrainingSession  one step at a time on your own NumPy batches
    TrainedModel   a checkpoint in memory: save, load, params, run_trials
    Error          mnemo's one-line error for bad input (a ValueError)

help(mnemo.train) and the others say more. The model language is described in docs/DSL.md.
"""
from ._mnemo import (Dataset, Error, History, Model, TrainedModel, TrainingSession, __version__,
                     tasks, train)


def load(path):
    """Reads a checkpoint.npz (written by `mnemo train` or TrainedModel.save) as a TrainedModel."""
    return TrainedModel.load(path)


__all__ = ["Dataset", "Error", "History", "Model", "TrainedModel", "TrainingSession", "__version__",
           "load", "tasks", "train"]
