#!/usr/bin/env bash
# Ensemble throughput (docs/PERFORMANCE.md, "Ensembles"): member-steps per second of one
# training step of K notebook RNNs (B=16, T=100, H=64) stacked in one graph (BM_EnsembleStep;
# with the batched layout BM_EnsembleBatchedStep, where the binary has it) against K separately
# compiled models each taking a step (BM_SeparateSteps), K = 1, 2, 4, 8, 16, fused pipeline,
# 1 thread, all in one benchmark run with the repetitions randomly interleaved, CPU time.
# Prints the best repetition per variant (the least disturbed by other load on a shared
# machine), the median, and the ratio ensemble / separate (speed: above 1 is faster).
# With "small" as the third argument, the BM_Small* variants instead: tiny steps (batch 1-4,
# hidden 8-32) at the K, B, H of their names, where the batched layout can pay.
# Usage: scripts/ensemble_throughput.sh [BUILD_DIR] [REPETITIONS] [small]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
reps=${2:-5}
small=${3:-}
if [ -n "$small" ] && [ "$small" != small ]; then echo "usage: $0 [BUILD_DIR] [REPETITIONS] [small]" >&2; exit 2; fi
prefix=${small:+Small}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=${small:+"T=100, B and H as named"}
echo "mnemo ensembles | notebook model ${sizes:-B=16 T=100 H=64}, fused train step, 1 thread | $reps interleaved repetitions |" \
     "$(date -u '+%Y-%m-%d %H:%M UTC') | load before: $(cut -d' ' -f1-3 /proc/loadavg)"
OMP_NUM_THREADS=1 "$build/benchmarks/mnemo_benchmarks" --benchmark_filter="^BM_${prefix}(Ensemble|EnsembleBatched|Separate)Steps?/" \
  --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true --benchmark_min_time=0.3 \
  --benchmark_format=csv 2>/dev/null > "$work/raw.csv"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Rows "BM_X/K:k[/B:b/H:h]" (not the aggregates): name, iterations, real_time, cpu_time, ...
python3 - "$work/raw.csv" <<'PY'
import csv, statistics, sys
rows = {}
with open(sys.argv[1]) as f:
    lines = [l for l in f if l.startswith('"BM_') or l.startswith('name')]
for r in csv.DictReader(lines):
    name = r["name"].strip('"')
    if name.endswith(("_mean", "_median", "_stddev", "_cv")):
        continue
    variant, args = name.split("/", 1)
    rows.setdefault((variant.replace("BM_Small", "BM_"), args), []).append(float(r["cpu_time"]))  # per iteration
def members(args):
    return int(args.split("/")[0].split(":")[1])
unit = "us" if any("/B:" in a for _, a in rows) else "ms"
print(f"{'layout':>8} {'run':>16} {'separate ' + unit:>12} {'ensemble ' + unit:>12} {'separate m-steps/s':>19} {'ensemble m-steps/s':>19} {'x (best)':>9} {'x (median)':>11}")
for variant, label in (("BM_EnsembleStep", "default"), ("BM_EnsembleBatchedStep", "batched")):
    for args in sorted({a for v, a in rows if v == variant}, key=lambda a: [int(p.split(":")[1]) for p in a.split("/")]):
        sep, ens, k = rows[("BM_SeparateSteps", args)], rows[(variant, args)], members(args)
        sb, eb, sm, em = min(sep), min(ens), statistics.median(sep), statistics.median(ens)
        per_s = 1e6 if unit == "us" else 1e3
        print(f"{label:>8} {args:>16} {sb:>12.3f} {eb:>12.3f} {per_s * k / sb:>19.0f} {per_s * k / eb:>19.0f} {sb / eb:>9.2f} {sm / em:>11.2f}")
PY
