"""Times the same training from Python (mnemo.train) and from the command line (mnemo train),
back to back and alternating, and prints both and their ratio. Not a test: speed is measured, never
asserted. Both write a run directory, so they do the same work.

usage: OMP_NUM_THREADS=1 PYTHONPATH=build/python python3 python/bench_train.py build/mnemo [STEPS] [ROUNDS]"""
import os
import re
import subprocess
import sys
import tempfile
import time

import mnemo


def main():
    binary = sys.argv[1]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    cli_loop, py_loop, cli_wall, py_wall = [], [], [], []
    with tempfile.TemporaryDirectory() as work:
        for r in range(rounds):
            start = time.perf_counter()
            out = subprocess.run([binary, "train", "--steps", str(steps), "--no-progress", "--out",
                                  os.path.join(work, "cli%d" % r)], capture_output=True, text=True, check=True).stdout
            cli_wall.append(time.perf_counter() - start)
            cli_loop.append(float(re.search(r"trained steps \d+-\d+ in ([\d.]+) s", out).group(1)))
            start = time.perf_counter()
            h = mnemo.train(steps=steps, out_dir=os.path.join(work, "py%d" % r), verbose=False)
            py_wall.append(time.perf_counter() - start)
            py_loop.append(h.seconds)
            print("round %d: cli loop %.3f s (process %.3f s) | python loop %.3f s (call %.3f s)"
                  % (r + 1, cli_loop[-1], cli_wall[-1], py_loop[-1], py_wall[-1]))
    best = lambda v: min(v)
    print("best of %d, %d steps: cli loop %.3f s, python loop %.3f s: python/cli %.3f (process %.3f s vs call %.3f s: %.3f)"
          % (rounds, steps, best(cli_loop), best(py_loop), best(py_loop) / best(cli_loop), best(cli_wall),
             best(py_wall), best(py_wall) / best(cli_wall)))


if __name__ == "__main__":
    main()
