#!/usr/bin/env bash
# ctest runs each Catch2 test by its name, handed over as a CMake list: a ';' in a name splits it
# into fragments that match no test (and "pass" having run nothing), and a '[' or ']' can merge
# the names that follow into one entry. This check fails naming every test case whose name has one.
# Usage: tests/check_test_names.sh TESTS_DIR
set -euo pipefail
bad=$(grep -rnE --include='*.cpp' 'TEST_CASE\("[^"]*[];[]' "${1:-.}" || true)
if [[ -n "$bad" ]]; then
  echo "test names ctest cannot run (no ';', '[' or ']' in a TEST_CASE name):"
  echo "$bad"
  exit 1
fi
