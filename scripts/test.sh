#!/usr/bin/env bash
# Builds mnemo (installing anything missing) and runs the whole test suite through ctest.
# Usage: scripts/test.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
shift || true
scripts/setup.sh "$BUILD_DIR" "$@"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)"
