#!/usr/bin/env bash
# Decision accuracy over many seeds: trains the default model (`mnemo train --seed S`, 2000 steps,
# or the extra train options given after --) for each seed, then runs `mnemo analyze` on the
# checkpoint with a fixed trial set, and prints one line per seed and a summary (mean, median,
# how many seeds fall below 0.93 and 0.95, the eight lowest). For comparing two builds or two
# settings as distributions: a single seed says little, the spread between seeds is wide.
# Usage: scripts/seed_accuracy.sh MNEMO_BINARY OUT_DIR FIRST_SEED LAST_SEED [ANALYZE_SEED TRIALS] [-- TRAIN_OPTIONS...]
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
mnemo=$(realpath "$1"); out=$2; first=$3; last=$4; shift 4
analyze_seed=1000; trials=200
if [ $# -ge 2 ] && [ "$1" != "--" ]; then analyze_seed=$1; trials=$2; shift 2; fi
[ $# -ge 1 ] && [ "$1" = "--" ] && shift
mkdir -p "$out"
table="$out/accuracy.txt"
: > "$table"
for s in $(seq "$first" "$last"); do
  run="$out/seed$s"
  OMP_NUM_THREADS=1 "$mnemo" train --seed "$s" --out "$run" "$@" > "$run.train.log" 2>&1 \
    || { echo "seed $s: train failed (see $run.train.log)" >&2; exit 1; }
  train_acc=$(grep -E '^Step [0-9]+,' "$run.train.log" | tail -1 | sed 's/.*Acc //')
  OMP_NUM_THREADS=1 "$mnemo" analyze --checkpoint "$run/checkpoint.npz" --trials "$trials" \
      --seed "$analyze_seed" > "$run.analyze.log" 2>&1 \
    || { echo "seed $s: analyze failed (see $run.analyze.log)" >&2; exit 1; }
  decision=$(grep 'Decision accuracy' "$run.analyze.log" | awk '{print $3}')
  echo "$s $train_acc $decision" | tee -a "$table"
done
python3 - "$table" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
acc = [float(r[2]) for r in rows]
print(f"{len(acc)} seeds: decision accuracy mean {statistics.mean(acc):.4f}, median {statistics.median(acc):.4f}, "
      f"below 0.93: {sum(a < 0.93 for a in acc)}, below 0.95: {sum(a < 0.95 for a in acc)}, "
      f"lowest {sorted(acc)[:8]}")
PY
