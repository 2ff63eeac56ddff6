#!/usr/bin/env bash
# Long sequences (docs/PERFORMANCE.md, "Long sequences"): compile time, memory and training-step
# time of the notebook model (B=16, H=64) at T = 100, 1000 and 5000 (or the T values given),
# fused (pipeline train) and unfused (train-unfused), from `mnemo bench` at 1 thread. Per T:
# the passes' and the lowering's CPU ms (thread CPU time: on a loaded machine wall time also
# counts the waits for a core), the memory plan's arena and the peak (arena + persistent), the
# step's median wall and thread-CPU ms, and the whole process's user CPU seconds and maximum
# resident set (GNU time). Then per-T ratios against the first T, so linear growth reads as the
# ratio of the T values. Last, each pass of the fused pipeline on its own (`mnemo dump
# --pass-stats`, wall ms of the pass alone, without the verifier and printer the pass manager
# runs between passes), so a pass that grows faster than T shows by name.
# Usage: scripts/long_sequences.sh [BUILD_DIR] [T...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
seq_lens=("$@")
[ ${#seq_lens[@]} -eq 0 ] && seq_lens=(100 1000 5000)
mnemo=$(realpath "$build/mnemo")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "mnemo long sequences | notebook model B=16 H=64 | 1 thread | $(date -u '+%Y-%m-%d %H:%M UTC') | load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%6s %-14s %10s %10s %10s %11s %11s %10s %10s %9s %10s\n" T pipeline "pass cpu" "lower cpu" "arena MiB" "peak MiB" "step ms" "cpu ms" "cpu/T us" "proc s" "maxrss MiB"
declare -A first
for T in "${seq_lens[@]}"; do
  steps=$(( T >= 5000 ? 3 : T >= 1000 ? 10 : 50 ))
  /usr/bin/time -f "%U %M" -o "$work/time" "$mnemo" bench --what train --no-roofline --seq-len "$T" --steps "$steps" \
      --warmup 2 > "$work/out"
  read -r user rss < "$work/time"
  while read -r what pipeline median min cpu kernels peak arena noreuse persist passWall lowerWall passes lower; do
    [ "$what" = train ] || continue
    printf "%6s %-14s %10.1f %10.1f %10.2f %11.2f %11.3f %10.3f %10.2f %9.2f %10.1f\n" "$T" "$pipeline" "$passes" "$lower" \
        "$(echo "$arena / 1024" | bc -l)" "$(echo "$peak / 1024" | bc -l)" "$median" "$cpu" "$(echo "1000 * $cpu / $T" | bc -l)" \
        "$user" "$(echo "$rss / 1024" | bc -l)"
    key="$pipeline"
    if [ -z "${first[$key]:-}" ]; then first[$key]="$T $passes $lower $arena $cpu"; fi
    read -r t0 p0 l0 a0 m0 <<< "${first[$key]}"
    echo "$T $pipeline $(echo "$T / $t0" | bc -l) $(echo "$passes / $p0" | bc -l) $(echo "$lower / $l0" | bc -l) $(echo "$arena / $a0" | bc -l) $(echo "$cpu / $m0" | bc -l)" >> "$work/ratios"
  done < <(awk '$1 == "train" && $2 ~ /^train/' "$work/out")
done
echo
echo "growth against T=${seq_lens[0]} (linear: each column equals the T ratio)"
printf "%6s %-14s %8s %10s %10s %10s %10s\n" T pipeline "T ratio" "pass cpu" "lower cpu" arena "step cpu"
while read -r T pipeline rt rp rl ra rm; do
  printf "%6s %-14s %8.1f %10.1f %10.1f %10.1f %10.1f\n" "$T" "$pipeline" "$rt" "$rp" "$rl" "$ra" "$rm"
done < "$work/ratios"

echo
echo "per pass, pipeline train (mnemo dump --pass-stats, wall ms, the least of 3 runs; load $(cut -d' ' -f1-3 /proc/loadavg))"
for T in "${seq_lens[@]}"; do
  for run in 1 2 3; do
    "$mnemo" dump notebook --pipeline train --seq-len "$T" --pass-stats |
        awk -v T="$T" -v run="$run" '/^\/\/ +[0-9]+  / {printf "%s %s %s %s\n", T, run, $3, $4}' >> "$work/passes"
  done
done
awk '
  { key = $3 "#" (++seen[$1 "|" $2 "|" $3])
    if (!(($1, key) in ms) || $4 < ms[$1, key]) ms[$1, key] = $4
    if (!(key in order)) { order[key] = ++n; names[n] = key }
    ts[$1] = 1 }
  END {
    printf "%-26s", "pass"; for (t in ts) cols[++c] = t + 0
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (cols[j] < cols[i]) { x = cols[i]; cols[i] = cols[j]; cols[j] = x }
    for (i = 1; i <= c; i++) printf " %10s", "T=" cols[i]
    printf "   %s\n", "ratio last/first"
    for (k = 1; k <= n; k++) {
      key = names[k]; label = key; sub(/#1$/, "", label); sub(/#/, " (", label); if (label != key && label ~ /\(/) label = label ")"
      printf "%-26s", label
      for (i = 1; i <= c; i++) printf " %10.1f", ms[cols[i], key]
      a = ms[cols[1], key]; b = ms[cols[c], key]
      if (a > 0) printf "   %8.1f\n", b / a; else printf "   %8s\n", "-"
    }
  }' "$work/passes"
