#!/usr/bin/env bash
# Checks mnemo's layering: every #include "folder/file.h" in a library folder must name a header
# of its own layer or of a layer the table allows (cmake/Layers.cmake, written out by CMake as
# one line per layer: "<folder> <allowed folder or data file>...").
# oneDNN's headers (<dnnl*.h*>) are allowed only in a layer marked "+onednn", and not in its
# public headers (<folder>/*.h).
# Prints one line per forbidden include, "file:line: <folder> may not include <header> (...)",
# and exits 1 if there is any.
# Usage: scripts/check_layers.sh TABLE [ROOT=.]
set -euo pipefail
table="$1"
root="${2:-.}"
[[ -r "$table" ]] || { echo "check_layers: cannot read the layer table $table" >&2; exit 2; }
table="$(cd "$(dirname "$table")" && pwd)/$(basename "$table")"
cd "$root"

mapfile -t folders < <(awk '{print $1}' "$table")
existing=()
for d in "${folders[@]}"; do [[ -d "$d" ]] && existing+=("$d"); done
((${#existing[@]})) || exit 0
# Nested layers (runtime/target inside runtime) are found twice: each file once.
mapfile -t files < <(find "${existing[@]}" -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.def' \) | sort -u)
((${#files[@]})) || exit 0

awk -v TABLE="$table" '
  # The layer folder a path belongs to: the longest table folder that prefixes it.
  function layerOf(path,    best, d) {
    best = ""
    for (d in allowed) if (index(path, d "/") == 1 && length(d) > length(best)) best = d
    return best
  }
  BEGIN {
    while ((getline line < TABLE) > 0) {
      n = split(line, w, " ")
      allowed[w[1]] = " " w[1] " "
      for (i = 2; i <= n; ++i) allowed[w[1]] = allowed[w[1]] w[i] " "
    }
    bad = 0
  }
  FNR == 1 {
    own = layerOf(FILENAME)
    rest = substr(FILENAME, length(own) + 2)
    publicHeader = (FILENAME ~ /\.h$/ && index(rest, "/") == 0)
  }
  own == "" { next }
  /^[ \t]*#[ \t]*include[ \t]*<(oneapi\/)?dnnl/ {
    if (!index(allowed[own], " +onednn ")) {
      printf "%s:%d: layer %s/ may not include oneDNN (only layers marked ONEDNN in cmake/Layers.cmake may)\n", FILENAME, FNR, own
      bad = 1
    } else if (publicHeader) {
      printf "%s:%d: public header of %s/ includes oneDNN (keep it in .cpp files or a private sub-folder)\n", FILENAME, FNR, own
      bad = 1
    }
    next
  }
  /^[ \t]*#[ \t]*include[ \t]*"[^"]*\// {
    match($0, /"[^"]*"/)
    inc = substr($0, RSTART + 1, RLENGTH - 2)
    if (index(inc, "mnemo/") == 1) inc = "include/" inc          # the public API, include/mnemo/
    target = layerOf(inc)
    if (index(allowed[own], " " inc " ")) next                  # a data file it may read
    if (target != "" && index(allowed[own], " " target " ")) next
    uses = substr(allowed[own], length(own) + 3)
    sub(/ ?\+onednn/, "", uses)
    sub(/ $/, "", uses)
    printf "%s:%d: layer %s/ may not include \"%s\" (%s); it may use: %s (cmake/Layers.cmake)\n", FILENAME, FNR,
           own, inc, (target == "" ? "not a library folder" : "folder " target "/"), (uses == "" ? "no other folder" : uses)
    bad = 1
  }
  END { exit bad }
' "${files[@]}"
