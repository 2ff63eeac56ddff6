#!/usr/bin/env bash
# Builds mnemo's libFuzzer harnesses (fuzz/) with clang-14 under AddressSanitizer and
# UndefinedBehaviorSanitizer in their own build directory, then runs each for SECONDS.
# Seeds come from the test fixtures and fuzz/seeds/; each target's corpus grows in
# BUILD_DIR/corpus/<target> and crashing inputs land in BUILD_DIR/crashes/.
# Usage: scripts/fuzz.sh [SECONDS=30] [TARGET...]   (targets: gir mnemo npz timing; default all)
# Exits non-zero if any harness found a crash, leak or timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-30}"
shift || true
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then TARGETS=(gir mnemo npz timing); fi
BUILD_DIR="${MNEMO_FUZZ_BUILD_DIR:-build-fuzz}"

PACKAGES=(clang-14 libfuzzer-14-dev)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "mnemo fuzz: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" -DMNEMO_SANITIZE=ON \
  -DMNEMO_BUILD_FUZZERS=ON -DMNEMO_BUILD_TESTS=OFF -DMNEMO_BUILD_BENCHMARKS=OFF "${launcher[@]}" > /dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target "${TARGETS[@]/#/fuzz_}"

# Seed corpora: every fixture of the right kind, plus the hand-made seeds in fuzz/seeds/.
seed() {  # seed TARGET FILE...
  mkdir -p "$BUILD_DIR/seeds/$1"
  shift
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$BUILD_DIR/seeds/$(basename "$(dirname "$f")")_$(basename "$f")" 2>/dev/null || true; done
}
rm -rf "$BUILD_DIR/seeds"
mkdir -p "$BUILD_DIR/seeds"
for t in gir mnemo npz timing; do mkdir -p "$BUILD_DIR/seeds/$t"; cp fuzz/seeds/$t/* "$BUILD_DIR/seeds/$t/" 2>/dev/null || true; done
find tests/fixtures -name '*.gir' -exec cp --backup=numbered {} "$BUILD_DIR/seeds/gir/" \;
find tests/fixtures examples -name '*.mnemo' -exec cp --backup=numbered {} "$BUILD_DIR/seeds/mnemo/" \;

failed=0
for t in "${TARGETS[@]}"; do
  corpus="$BUILD_DIR/corpus/$t"
  mkdir -p "$corpus" "$BUILD_DIR/crashes"
  echo "mnemo fuzz: $t for ${SECONDS_PER_TARGET}s"
  # -rss_limit_mb bounds memory (a harness that allocates more is a finding); -timeout flags
  # any single input that runs over 10 s (a hang).
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$BUILD_DIR/fuzz/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$BUILD_DIR/crashes/$t-" \
      "$corpus" "$BUILD_DIR/seeds/$t" > "$BUILD_DIR/fuzz_$t.log" 2>&1; then
    echo "mnemo fuzz: $t FAILED (see $BUILD_DIR/fuzz_$t.log and $BUILD_DIR/crashes/)"
    grep -E "ERROR|SUMMARY|Test unit written" "$BUILD_DIR/fuzz_$t.log" | head -5 || true
    failed=1
  else
    runs=$(grep -Eo "stat::number_of_executed_units: *[0-9]+" "$BUILD_DIR/fuzz_$t.log" | grep -Eo "[0-9]+$" || echo "?")
    echo "mnemo fuzz: $t ok ($runs inputs, 0 crashes)"
  fi
done
exit $failed
