#!/usr/bin/env bash
# Data-parallel training: `mpirun -np 2 mnemo train --batch 32 --data F` ends 20 steps with the
# parameters (and Adam moments) of `mnemo train --batch 32 --data F` within float32 summation
# error, and so does training on the task (every rank draws the same global batch). The bound:
# 1e-5 absolute. Each rank sums half of the batch and the halves are added, so a gradient
# differs from the one-process sum by reassociation only (relative ~1e-6 here); an Adam step
# moves a parameter by at most about lr = 1e-3, so 20 steps stay far below 20 * 1e-3 * 5e-4.
# Also: a batch that does not split over the ranks is one clear error.
# Usage: check_data_parallel.sh MNEMO MPIRUN [mpirun flags...]   (exit 77: no numpy, skipped)
set -euo pipefail
mnemo=$1
shift
python=/usr/bin/python3
"$python" -c "import numpy" 2>/dev/null || { echo "python3-numpy is missing: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$mnemo" task --export-batches 5 --batch-size 32 --seq-len 20 --out "$dir/data.npz" > /dev/null 2>&1
tiny=(--no-progress --seq-len 20 --hidden 16 --steps 20 --print-every 10)

compare() {  # compare RUN_A RUN_B LABEL
  "$python" - "$1/checkpoint.npz" "$2/checkpoint.npz" "$3" <<'PY'
import sys
import numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
worst = 0.0
for k in a.files:
    if a[k].dtype.kind != "f":
        continue
    assert a[k].shape == b[k].shape, k
    worst = max(worst, float(np.max(np.abs(a[k].astype(np.float64) - b[k].astype(np.float64)))))
assert int(a["step"]) == int(b["step"]) == 20, (a["step"], b["step"])
print(f"{sys.argv[3]}: max |2 ranks - 1 process| over params and Adam moments after 20 steps = {worst:.3g} (bound 1e-5)")
sys.exit(0 if worst <= 1e-5 else 1)
PY
}

"$mnemo" train "${tiny[@]}" --batch 32 --data "$dir/data.npz" --out "$dir/one" > /dev/null
"$@" "$mnemo" train "${tiny[@]}" --batch 32 --data "$dir/data.npz" --out "$dir/two" > "$dir/two.log"
grep -q "data-parallel over 2 MPI ranks, 16 of the batch's 32 sequences on each" "$dir/two.log"
compare "$dir/one" "$dir/two" "--data"

"$mnemo" train "${tiny[@]}" --batch 32 --out "$dir/task1" > /dev/null 2>&1
"$@" "$mnemo" train "${tiny[@]}" --batch 32 --out "$dir/task2" > /dev/null 2>&1
compare "$dir/task1" "$dir/task2" "task"

status=0
"$@" "$mnemo" train "${tiny[@]}" --batch 33 --out "$dir/odd" > "$dir/odd.log" 2>&1 || status=$?
[ "$status" -ne 0 ] || { echo "--batch 33 over 2 ranks was accepted"; exit 1; }
grep -q "mnemo train: --batch 33 does not split over 2 MPI ranks; give a multiple of 2" "$dir/odd.log" ||
  { echo "no clear message for --batch 33:"; cat "$dir/odd.log"; exit 1; }
[ ! -e "$dir/odd" ] || { echo "a refused run wrote its run directory"; exit 1; }
