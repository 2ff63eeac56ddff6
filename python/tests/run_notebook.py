"""Executes examples/notebook.ipynb headless (jupyter nbconvert --execute) and checks it: every
cell runs, the training printout has the notebook's format and reaches >= 0.90 at step 1000, and
the printout equals the one committed in the notebook (its outputs are real, and training is
deterministic). Exits 77 (ctest: skipped) when nbconvert, ipykernel or matplotlib is missing.

usage: run_notebook.py NOTEBOOK WORK_DIR [--update]   (--update rewrites NOTEBOOK with the new outputs)"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys

STEP = re.compile(r"^Step (\d+), Loss (\d+\.\d{4}), Acc (\d+\.\d{3})$", re.M)


def printout(nb):
    """The 'Step N, Loss L, Acc A' lines of every cell's stream output."""
    text = ""
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                text += "".join(out["text"])
    return STEP.findall(text)


def main():
    notebook, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    update = "--update" in sys.argv[3:]
    missing = [m for m in ("nbconvert", "ipykernel", "matplotlib") if importlib.util.find_spec(m) is None]
    if missing:
        print("skipped: the notebook test needs " + ", ".join(missing) +
              " (apt-get install jupyter-nbconvert python3-ipykernel python3-matplotlib)")
        return 77
    os.makedirs(work, exist_ok=True)
    executed = os.path.join(work, "notebook.ipynb")
    # A copy runs in `work` (the kernel starts in the notebook's folder, and the notebook writes its
    # checkpoint there), with this interpreter's kernel.
    shutil.copyfile(notebook, executed)
    cmd = [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute", "--inplace",
           "--ExecutePreprocessor.timeout=1200", "--ExecutePreprocessor.kernel_name=python3", executed]
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel's inline backend draws the figures
    result = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout + result.stderr)
        print("FAILED: the notebook did not run to the end")
        return 1
    with open(executed) as f:
        ran = json.load(f)
    lines = printout(ran)
    steps = {int(s): float(acc) for s, _, acc in lines}
    print("\n".join("Step %s, Loss %s, Acc %s" % l for l in lines))
    if 1000 not in steps or steps[1000] < 0.90:
        print("FAILED: the notebook should print 'Step 1000, ... Acc >= 0.90'; it printed %s" % steps.get(1000))
        return 1
    images = sum(1 for c in ran["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    if images < 2:
        print("FAILED: expected the training curve and the trajectory plot as images, got %d" % images)
        return 1
    if update:
        shutil.copyfile(executed, notebook)
        print("updated " + notebook)
        return 0
    with open(notebook) as f:
        committed = printout(json.load(f))
    if committed != lines:
        print("FAILED: the committed notebook's printout differs from this run's:\n%s" % committed)
        return 1
    print("the executed notebook reproduces the committed printout (%d lines, %d images)" % (len(lines), images))
    return 0


if __name__ == "__main__":
    sys.exit(main())
