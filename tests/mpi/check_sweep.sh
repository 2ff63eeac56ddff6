#!/usr/bin/env bash
# The same sweep on 2 local workers and under mpirun on 2 ranks gives the same sweep.csv (but
# the wall seconds) and the same run directories, failed points (lr 1e30 diverges) included.
# Usage: check_sweep.sh MNEMO MPIRUN [mpirun flags...]   (ctest passes `mpirun -np 2 ...`)
set -euo pipefail
mnemo=$1
shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
grid=(--grid seed=0:2 --grid lr=1e-3,1e30 --steps 40 --hidden 8 --seq-len 20 --batch 4 --print-every 20)

status=0
"$mnemo" sweep --out "$dir/local" --workers 2 "${grid[@]}" > "$dir/local.log" || status=$?
[ "$status" -eq 1 ] || { echo "local sweep: exit $status, expected 1 (the lr 1e30 points fail)"; cat "$dir/local.log"; exit 1; }
status=0
"$@" "$mnemo" sweep --out "$dir/mpi" "${grid[@]}" > "$dir/mpi.log" 2>&1 || status=$?
[ "$status" -eq 1 ] || { echo "mpirun sweep: exit $status, expected 1"; cat "$dir/mpi.log"; exit 1; }
grep -q "6 points on 2 MPI ranks" "$dir/mpi.log" || { echo "the sweep did not run on 2 ranks:"; cat "$dir/mpi.log"; exit 1; }
grep -q "3 ok, 3 failed" "$dir/mpi.log" || { echo "expected 3 ok, 3 failed:"; cat "$dir/mpi.log"; exit 1; }

# Column 6 is wall_seconds.
diff <(cut -d, -f1-5,7- "$dir/local/sweep.csv") <(cut -d, -f1-5,7- "$dir/mpi/sweep.csv")
for seed in 0 1 2; do
  cmp "$dir/local/seed=${seed}_lr=1e-3/metrics.csv" "$dir/mpi/seed=${seed}_lr=1e-3/metrics.csv"
done
echo "mpirun sweep == local sweep (6 points, 3 failed as expected)"
