#!/usr/bin/env bash
# Thread scaling (docs/PERFORMANCE.md, "Threads"): the fused training step of the notebook model
# at 1 and 2 threads, at hidden/batch sizes from the notebook's (H=64, B=16) to H=512, B=256,
# T=100, interleaved (1 then 2 threads, size by size, ROUNDS times) so a shared machine's load
# falls on both alike. Prints median and best wall ms per run, then per size the 1/2-thread
# ratio of the best medians and of the best minima. Wall time is the measure here (CPU time
# adds the threads up); on a machine busier than its cores the 2-thread runs wait for a core
# and the ratios mean little: check the load column.
# Usage: scripts/threads.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${2:-3}
mnemo=$(realpath "$build/mnemo")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("64 16 300 20" "128 32 100 10" "256 64 20 3" "512 256 4 1")   # H B steps warm-up

echo "mnemo threads | notebook model T=100, fused train step | $rounds rounds | $(date -u '+%Y-%m-%d %H:%M UTC')"
printf "%5s %-10s %8s %10s %10s %6s\n" round size threads "median ms" "min ms" load
for r in $(seq "$rounds"); do
  for cfg in "${sizes[@]}"; do
    read -r H B steps warmup <<< "$cfg"
    for t in 1 2; do
      read -r median min < <("$mnemo" bench --what train --only fused --no-roofline --hidden "$H" --batch "$B" \
          --steps "$steps" --warmup "$warmup" --threads "$t" | awk '$1 == "train" && $2 == "train" {print $3, $4}')
      load=$(cut -d' ' -f1 /proc/loadavg)
      printf "%5s %-10s %8s %10.3f %10.3f %6s\n" "$r" "H$H,B$B" "$t" "$median" "$min" "$load"
      echo "H$H,B$B $t $median $min" >> "$work/all"
    done
  done
done
echo
echo "speed-up of 2 threads over 1 (best of the rounds)"
printf "%-10s %12s %12s %12s %12s %10s %10s\n" size "1t median" "2t median" "1t min" "2t min" "median x" "min x"
for cfg in "${sizes[@]}"; do
  read -r H B _ _ <<< "$cfg"
  awk -v s="H$H,B$B" '$1 == s {
      if ($2 == 1) { if (!m1 || $3 < m1) m1 = $3; if (!n1 || $4 < n1) n1 = $4 }
      else         { if (!m2 || $3 < m2) m2 = $3; if (!n2 || $4 < n2) n2 = $4 } }
    END { printf "%-10s %12.3f %12.3f %12.3f %12.3f %9.2fx %9.2fx\n", s, m1, m2, n1, n2, m1 / m2, n1 / n2 }' "$work/all"
done
