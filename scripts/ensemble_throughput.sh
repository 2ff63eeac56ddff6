#!/usr/bin/env bash
# Ensemble throughput (docs/PERFORMANCE.md, "Ensembles"): member-steps per second of one
# training step of K notebook RNNs (B=16, T=100, H=64) stacked in one graph (BM_EnsembleStep;
# with the batched layout BM_EnsembleBatchedStep, where the binary has it) against K separately
# compiled models each taking a step (BM_SeparateSteps), K = 1, 2, 4, 8, 16, fused pipeline,
# 1 thread, all in one benchmark run with the repetitions randomly interleaved, CPU time.
# Prints the best repetition per variant (the least disturbed by other load on a shared
# machine), the median, and the ratio ensemble / separate (speed: above 1 is faster).
# Usage: scripts/ensemble_throughput.sh [BUILD_DIR] [REPETITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
reps=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "mnemo ensembles | notebook model B=16 T=100 H=64, fused train step, 1 thread | $reps interleaved repetitions |" \
     "$(date -u '+%Y-%m-%d %H:%M UTC') | load before: $(cut -d' ' -f1-3 /proc/loadavg)"
OMP_NUM_THREADS=1 "$build/benchmarks/mnemo_benchmarks" --benchmark_filter='BM_(Ensemble|EnsembleBatched|Separate)Steps?/' \
  --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true --benchmark_min_time=0.3 \
  --benchmark_format=csv 2>/dev/null > "$work/raw.csv"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Rows "BM_X/K:k" (not the aggregates): name, iterations, real_time, cpu_time, ...
python3 - "$work/raw.csv" <<'PY'
import csv, statistics, sys
rows = {}
with open(sys.argv[1]) as f:
    lines = [l for l in f if l.startswith('"BM_') or l.startswith('name')]
for r in csv.DictReader(lines):
    name = r["name"].strip('"')
    if name.endswith(("_mean", "_median", "_stddev", "_cv")):
        continue
    variant, k = name.split("/K:")
    rows.setdefault((variant, int(k)), []).append(float(r["cpu_time"]))  # ms per iteration
def row(label, k, sep, ens):
    sb, eb, sm, em = min(sep), min(ens), statistics.median(sep), statistics.median(ens)
    print(f"{label:>8} {k:>3} {sb:>12.3f} {eb:>12.3f} {1000 * k / sb:>19.0f} {1000 * k / eb:>19.0f} {sb / eb:>9.2f} {sm / em:>11.2f}")
print(f"{'layout':>8} {'K':>3} {'separate ms':>12} {'ensemble ms':>12} {'separate m-steps/s':>19} {'ensemble m-steps/s':>19} {'x (best)':>9} {'x (median)':>11}")
for variant, label in (("BM_EnsembleStep", "default"), ("BM_EnsembleBatchedStep", "batched")):
    for k in sorted({k for v, k in rows if v == variant}):
        row(label, k, rows[("BM_SeparateSteps", k)], rows[(variant, k)])
PY
