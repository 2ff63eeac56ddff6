#!/usr/bin/env bash
# The measurements of docs/SCALING.md, back to back: an 8-point sweep (4 seeds x 2 learning
# rates, 300 steps) on 2 local workers, on 1 worker (the points one after another) and under
# mpirun -np 2; its points against lone `mnemo train` runs; data-parallel training at H=512,
# B=256 and at the notebook's H=64, B=16 on 2 ranks against 1 process.
# Usage: scripts/scaling.sh [BUILD_DIR] [REPEATS]   (needs a build with MPI and /usr/bin/python3 + numpy)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
repeats=${2:-3}
mnemo=$(realpath "$build/mnemo")
mpirun=(mpirun -np 2 --oversubscribe --allow-run-as-root)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grid=(--grid seed=0:3 --grid lr=1e-3,3e-3 --steps 300)

seconds() {  # seconds COMMAND...: wall seconds of COMMAND (its output to $work/last.log)
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$work/last.log" 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}

echo "== 8-point sweep, 300 steps each (notebook model: B=16 T=100 H=64), $repeats repeats, alternating"
for r in $(seq "$repeats"); do
  rm -rf "$work/w1" "$work/w2" "$work/mpi"
  s1=$(seconds "$mnemo" sweep --out "$work/w1" --workers 1 "${grid[@]}")
  s2=$(seconds "$mnemo" sweep --out "$work/w2" --workers 2 "${grid[@]}")
  sm=$(seconds "${mpirun[@]}" "$mnemo" sweep --out "$work/mpi" "${grid[@]}")
  echo "repeat $r: 1 worker ${s1} s, 2 workers ${s2} s (speed-up $(echo "scale=2; $s1 / $s2" | bc)), mpirun -np 2 ${sm} s (speed-up $(echo "scale=2; $s1 / $sm" | bc))"
done
echo "sweep.csv of 2 workers vs 1 worker vs mpirun (wall_seconds column dropped):"
for d in w1 w2 mpi; do cut -d, -f1-5,7- "$work/$d/sweep.csv" | md5sum | sed "s/-$/$d/"; done

echo "== each point against a lone mnemo train --threads 1"
for seed in 0 1 2 3; do
  for lr in 1e-3 3e-3; do
    "$mnemo" train --no-progress --steps 300 --seed $seed --lr $lr --threads 1 --out "$work/lone_${seed}_$lr" > /dev/null 2>&1
  done
done
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
work = sys.argv[1]
for seed in range(4):
    for lr in ("1e-3", "3e-3"):
        lone = np.load(f"{work}/lone_{seed}_{lr}/checkpoint.npz")
        for where in ("w2", "mpi"):
            pt = np.load(f"{work}/{where}/seed={seed}_lr={lr}/checkpoint.npz")
            same = all(np.array_equal(lone[k], pt[k]) for k in lone.files if k.startswith(("param/", "state/")))
            m1 = open(f"{work}/lone_{seed}_{lr}/metrics.csv").read()
            m2 = open(f"{work}/{where}/seed={seed}_lr={lr}/metrics.csv").read()
            last = m1.strip().splitlines()[-1].split(",")
            print(f"seed {seed} lr {lr} {where:3}: params and Adam state bit-identical: {same}, metrics.csv identical: {m1 == m2}, final loss {last[1]}")
PY

dp() {  # dp HIDDEN BATCH STEPS
  local h=$1 b=$2 steps=$3
  echo "== data-parallel train, H=$h B=$b T=100, $steps steps (ms/step as mnemo train reports it, data included)"
  for r in $(seq "$repeats"); do  # each repeat replaces the last one's scratch runs (--overwrite)
    "$mnemo" train --no-progress --hidden "$h" --batch "$b" --steps "$steps" --print-every "$steps" --out "$work/dp1" --overwrite > "$work/dp1.log" 2>&1
    "${mpirun[@]}" "$mnemo" train --no-progress --hidden "$h" --batch "$b" --steps "$steps" --print-every "$steps" --out "$work/dp2" --overwrite > "$work/dp2.log" 2>&1
    "$mnemo" train --no-progress --hidden "$h" --batch "$b" --steps "$steps" --print-every "$steps" --threads 2 --out "$work/dpt" --overwrite > "$work/dpt.log" 2>&1
    one=$(grep -o '[0-9.]* ms/step' "$work/dp1.log" | cut -d' ' -f1)
    two=$(grep -o '[0-9.]* ms/step' "$work/dp2.log" | cut -d' ' -f1)
    thr=$(grep -o '[0-9.]* ms/step' "$work/dpt.log" | cut -d' ' -f1)
    echo "repeat $r: 1 process ${one} ms/step, 2 ranks ${two} ms/step (1 rank / 2 ranks = $(echo "scale=2; $one / $two" | bc)), 1 process --threads 2 ${thr} ms/step"
  done
}
dp 512 256 10
dp 64 16 300
