"""Times the same training from Python (mnemo.train) and from the command line (mnemo train),
back to back and alternating, and prints both and their ratio. Not a test: speed is measured, never
asserted. Both write a run directory, so they do the same work.

usage: OMP_NUM_THREADS=1 PYTHONPATH=build/python python3 benchmarks/train_python_vs_cli.py build/mnemo [STEPS] [ROUNDS]"""
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

import mnemo


def main():
    binary = sys.argv[1]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    cli_loop, py_loop, cli_wall, py_wall, cli_cpu, py_cpu = [], [], [], [], [], []
    children_cpu = lambda: (lambda u: u.ru_utime + u.ru_stime)(resource.getrusage(resource.RUSAGE_CHILDREN))
    with tempfile.TemporaryDirectory() as work:
        for r in range(rounds):
            start, cpu = time.perf_counter(), children_cpu()
            out = subprocess.run([binary, "train", "--steps", str(steps), "--no-progress", "--out",
                                  os.path.join(work, "cli%d" % r)], capture_output=True, text=True, check=True).stdout
            cli_wall.append(time.perf_counter() - start)
            cli_cpu.append(children_cpu() - cpu)
            cli_loop.append(float(re.search(r"trained steps \d+-\d+ in ([\d.]+) s", out).group(1)))
            start, cpu = time.perf_counter(), time.process_time()
            h = mnemo.train(steps=steps, out_dir=os.path.join(work, "py%d" % r), verbose=False)
            py_wall.append(time.perf_counter() - start)
            py_cpu.append(time.process_time() - cpu)
            py_loop.append(h.seconds)
            print("round %d: cli loop %.3f s (process %.3f s, cpu %.3f s) | python loop %.3f s (call %.3f s, cpu %.3f s)"
                  % (r + 1, cli_loop[-1], cli_wall[-1], cli_cpu[-1], py_loop[-1], py_wall[-1], py_cpu[-1]))
    best = lambda v: min(v)
    print("best of %d, %d steps: cli loop %.3f s, python loop %.3f s: python/cli %.3f (process %.3f s vs call %.3f s: %.3f)"
          % (rounds, steps, best(cli_loop), best(py_loop), best(py_loop) / best(cli_loop), best(cli_wall),
             best(py_wall), best(py_wall) / best(cli_wall)))
    print("cpu time: cli %.3f s, python %.3f s: python/cli %.3f" % (best(cli_cpu), best(py_cpu), best(py_cpu) / best(cli_cpu)))


if __name__ == "__main__":
    main()
