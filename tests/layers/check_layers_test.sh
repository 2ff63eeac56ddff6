#!/usr/bin/env bash
# Proves the layer check can fail: on a small tree laid out like mnemo's, a support/ file that
# includes a graph/ header must make scripts/check_layers.sh exit non-zero with one line naming
# the file, the line and the folder; so must an ops/ file that includes oneDNN; the same tree
# without those includes must pass.
# Usage: check_layers_test.sh CHECKER TABLE
set -euo pipefail
checker="$1"
table="$2"
tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT

mkdir -p "$tree/support" "$tree/graph" "$tree/ops"
printf '#pragma once\n' > "$tree/support/error.h"
printf '#pragma once\n#include "support/error.h"\n' > "$tree/graph/graph.h"
printf '#include "graph/graph.h"\n#include "ops/ops.def"\n' > "$tree/ops/builder.cpp"
printf '// support may use nothing of mnemo\n#include <string>\n#include "graph/graph.h"\n' > "$tree/support/text.cpp"

set +e
out="$(bash "$checker" "$table" "$tree" 2>&1)"
rc=$?
set -e
if ((rc == 0)); then
  echo "FAIL: the checker accepted support/text.cpp including graph/graph.h"
  exit 1
fi
expected='support/text.cpp:3: layer support/ may not include "graph/graph.h" (folder graph/)'
if [[ "$out" != "$expected"* || "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]]; then
  echo "FAIL: expected one line starting with: $expected"
  echo "got: $out"
  exit 1
fi

# oneDNN's headers belong to the runtime alone.
printf '#include <string>\n' > "$tree/support/text.cpp"
printf '#include "graph/graph.h"\n#include <dnnl_types.h>\n' > "$tree/ops/lowering.cpp"
if out="$(bash "$checker" "$table" "$tree" 2>&1)" || [[ "$out" != "ops/lowering.cpp:2: layer ops/ may not include oneDNN"* ]]; then
  echo "FAIL: expected ops/lowering.cpp:2 to be refused for including oneDNN; got: $out"
  exit 1
fi
rm "$tree/ops/lowering.cpp"

# The allowed includes alone pass.
printf '#include <string>\n' > "$tree/support/text.cpp"
if ! out="$(bash "$checker" "$table" "$tree" 2>&1)"; then
  echo "FAIL: the checker rejected a tree with only allowed includes: $out"
  exit 1
fi
echo "ok: the checker rejects a forbidden include and accepts allowed ones"
