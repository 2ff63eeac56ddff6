#!/usr/bin/env bash
# Moves mnemo's sources from the flat layout (graph/ holding the IR, builder, parser and passes;
# frontend/ holding the DSL, CLI, trainer and analysis) into one folder per library (issue 12),
# and rewrites every reference to a moved file: `#include "old/path.h"` in C++ and any mention
# of the old path in CMake, Markdown, Python and shell files.
#
# Idempotent: a file already at its new place is skipped, and a rewritten path no longer matches
# an old one, so running it twice changes nothing the second time. It works on any branch cut
# from the old layout: files it knows are moved by the table below; new files that follow the
# old naming (frontend/cmd_<x>.cpp, frontend/analysis_<x>.*, frontend/dsl_<x>.*, training code
# named like the trainer's files, sweep_* and mpi_* for running many trainings) are placed by
# pattern; any other new frontend/*.cpp|h is left where it is, with a warning to place it by hand.
#
# Usage: scripts/relayout.sh [--dry-run]     (from anywhere inside the work tree)
# Then: review `git status`, build, and commit. The moves are staged with git mv; the rewrites
# are left unstaged.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

DRY=0
if [[ "${1:-}" == "--dry-run" ]]; then DRY=1; fi

# ---- the explicit table: old path -> new path --------------------------------------------------
MOVES=(
  # support/: errors, text and file helpers, input limits (no IR)
  graph/error.h                  support/error.h
  graph/limits.h                 support/limits.h
  graph/limits.cpp               support/limits.cpp
  io/text.h                      support/text.h
  io/text.cpp                    support/text.cpp
  # ops/: everything that builds or matches op nodes using the op rows
  graph/builder.h                ops/builder.h
  graph/builder.cpp              ops/builder.cpp
  graph/composites.h             ops/composites.h
  graph/composites.cpp           ops/composites.cpp
  graph/match.h                  ops/match.h
  graph/match.cpp                ops/match.cpp
  # graph/passes/: the pass interface, the pass manager and the verifier it runs after each pass
  graph/pass.h                   graph/passes/pass.h
  graph/pass_manager.h           graph/passes/pass_manager.h
  graph/pass_manager.cpp         graph/passes/pass_manager.cpp
  graph/verifier.h               graph/passes/verifier.h
  graph/verifier.cpp             graph/passes/verifier.cpp
  # runtime/target/: what the CPU back end can run, read by the fusion passes and the kernels
  graph/passes/fusion_rules.h    runtime/target/fusion_rules.h
  graph/passes/fusion_rules.cpp  runtime/target/fusion_rules.cpp
  # runtime/: the kernel interface is private to the kernels
  runtime/kernel.h               runtime/kernels/kernel.h
  # frontend/: the readers of model languages (the DSL, the IR text)
  graph/lexer.h                  frontend/ir/lexer.h
  graph/lexer.cpp                frontend/ir/lexer.cpp
  graph/parser.h                 frontend/ir/parser.h
  graph/parser.cpp               frontend/ir/parser.cpp
  frontend/model_dsl.h           frontend/dsl/model.h
  frontend/model_dsl.cpp         frontend/dsl/model.cpp
  # cli/: the mnemo executable
  frontend/main.cpp              cli/main.cpp
  frontend/commands.h            cli/commands.h
  frontend/commands.cpp          cli/commands.cpp
  frontend/cli_flags.h           cli/cli_flags.h
  # training/: compiling a model for training, the trainer, checkpoints, run directories, data
  frontend/trainer.h             training/trainer.h
  frontend/trainer.cpp           training/trainer.cpp
  frontend/checkpoint.h          training/checkpoint.h
  frontend/checkpoint.cpp        training/checkpoint.cpp
  frontend/run_config.h          training/run_config.h
  frontend/run_config.cpp        training/run_config.cpp
  frontend/run_lock.h            training/run_lock.h
  frontend/run_lock.cpp          training/run_lock.cpp
  frontend/training_report.h     training/training_report.h
  frontend/training_report.cpp   training/training_report.cpp
  frontend/batch_source.h        training/batch_source.h
  frontend/batch_source.cpp      training/batch_source.cpp
  frontend/input_feeds.h         training/input_feeds.h
  frontend/input_feeds.cpp       training/input_feeds.cpp
  frontend/compiled_model.h      training/compiled_model.h
  frontend/compiled_model.cpp    training/compiled_model.cpp
  frontend/graph_source.h        training/graph_source.h
  frontend/graph_source.cpp      training/graph_source.cpp
  frontend/rnn_model.h           training/rnn_model.h
  frontend/rnn_model.cpp         training/rnn_model.cpp
  frontend/model_notebook.cpp    training/model_notebook.cpp
)

# ---- pattern rules for frontend/ files not in the table ------------------------------------------
# Prints the new path of frontend/<file>, or nothing when no rule places it.
place_frontend() {
  local base="${1#frontend/}"
  case "$base" in
    */*) return ;;  # already in a sub-folder (frontend/dsl/, frontend/ir/)
    cmd_*.cpp | cmd_*.h) echo "cli/$base" ;;
    cli_*) echo "cli/$base" ;;
    analysis_*) echo "analysis/${base#analysis_}" ;;
    dsl_*) echo "frontend/dsl/${base#dsl_}" ;;
    init.h | init.cpp) ;;  # the initialiser specs stay: part of the model languages
    train* | checkpoint* | run_* | batch_* | optimizer* | schedule* | sweep_* | mpi_* | *_feeds.* | \
      compiled_* | graph_source* | model_notebook* | rnn_model*) echo "training/$base" ;;
  esac
}

declare -A NEW_OF=()
ORDER=()
for ((i = 0; i < ${#MOVES[@]}; i += 2)); do
  NEW_OF["${MOVES[i]}"]="${MOVES[i + 1]}"
  ORDER+=("${MOVES[i]}")
done
# Files tracked under frontend/ (top level) that the table does not name.
while IFS= read -r f; do
  [[ -n "${NEW_OF[$f]+x}" ]] && continue
  target="$(place_frontend "$f")"
  if [[ -n "$target" ]]; then
    NEW_OF["$f"]="$target"
    ORDER+=("$f")
  elif [[ "$f" == frontend/init.h || "$f" == frontend/init.cpp ]]; then
    :
  elif [[ "$f" == *.cpp || "$f" == *.h ]]; then
    echo "relayout: warning: no rule places $f; left in frontend/ (move it by hand to cli/, training/, analysis/ or frontend/dsl/)" >&2
  fi
done < <(git ls-files 'frontend/*' | grep -v '^frontend/.*/' || true)

# ---- 1. moves ------------------------------------------------------------------------------------
moved=0
for old in "${ORDER[@]}"; do
  new="${NEW_OF[$old]}"
  if [[ -e "$old" && -e "$new" ]]; then
    echo "relayout: warning: both $old and $new exist; left both (merge them by hand)" >&2
    continue
  fi
  [[ -e "$old" ]] || continue
  echo "relayout: git mv $old $new"
  if ((!DRY)); then
    mkdir -p "$(dirname "$new")"
    if git ls-files --error-unmatch "$old" > /dev/null 2>&1; then
      git mv "$old" "$new"
    else
      mv "$old" "$new"  # untracked new file
    fi
  fi
  moved=$((moved + 1))
done

# ---- 2. rewrites ---------------------------------------------------------------------------------
# Every old path (table and pattern rules, whether moved in this run or an earlier one) is
# replaced where it appears as a whole path: not preceded or followed by a path character (a
# full stop ending a sentence aside), so "graph/error.h" inside "tools/graph/error.h" or
# "graph/error.hpp" is left alone. The pattern
# rules are also applied as regular expressions, so a reference to a file this branch does not
# have (frontend/dsl_x.h written on another branch) is rewritten too.
map_file="$(mktemp)"
trap 'rm -f "$map_file"' EXIT
for old in "${!NEW_OF[@]}"; do printf '%s\t%s\n' "$old" "${NEW_OF[$old]}" >> "$map_file"; done

mapfile -t files < <(git ls-files -co --exclude-standard -- \
  '*.cpp' '*.h' '*.def' '*.md' '*.py' '*.sh' '*.cmake' '*CMakeLists.txt' '.ci/run' \
  | grep -v -E '^build[^/]*/' | grep -v -x 'scripts/relayout.sh' | while read -r f; do [[ -f "$f" ]] && echo "$f"; done)

if ((DRY)); then
  echo "relayout: dry run: $moved file(s) would move; references in ${#files[@]} file(s) would be rewritten"
  exit 0
fi

MAP_FILE="$map_file" perl -i -pe '
  BEGIN {
    open(my $m, "<", $ENV{MAP_FILE}) or die "map: $!";
    while (<$m>) { chomp; my ($o, $n) = split /\t/; $map{$o} = $n; }
    # Longest first, so frontend/dsl_eval.h is tried before a shorter path that prefixes it.
    @olds = sort { length($b) <=> length($a) } keys %map;
    $alt = join("|", map { quotemeta } @olds);
    $P = q{[A-Za-z0-9_./-]};
    # After a path: no path character, though a full stop ending a sentence is fine.
    $END = q{(?![A-Za-z0-9_/-]|\.[A-Za-z0-9_])};
  }
  s{(?<!$P)($alt)$END}{$map{$1}}g if @olds;
  # Pattern rules for files another branch added under the old naming.
  s{(?<!$P)frontend/cmd_([a-z0-9_]+)\.(cpp|h)$END}{cli/cmd_$1.$2}g;
  s{(?<!$P)frontend/analysis_([a-z0-9_]+)\.(cpp|h)$END}{analysis/$1.$2}g;
  s{(?<!$P)frontend/dsl_([a-z0-9_]+)\.(cpp|h)$END}{frontend/dsl/$1.$2}g;
  # Bare file names in comments ("see analysis_pca.h").
  s{(?<!$P)analysis_([a-z0-9_]+)\.(cpp|h)$END}{analysis/$1.$2}g;
  s{(?<!$P)dsl_([a-z0-9_]+)\.(cpp|h)$END}{frontend/dsl/$1.$2}g;
  s{(?<!$P)model_dsl\.(cpp|h)$END}{frontend/dsl/model.$1}g;
  # Globs and placeholders in comments and docs: frontend/cmd_*.cpp, frontend/cmd_<name>.cpp.
  s{(?<!$P)frontend/cmd_(\*|<name>)\.cpp}{cli/cmd_$1.cpp}g;
  s{(?<!$P)frontend/analysis_\*}{analysis/*}g;
  s{(?<!$P)frontend/dsl_\*}{frontend/dsl/*}g;
' "${files[@]}"

# ---- 3. source rewrites that follow the new layering ---------------------------------------------
# (a) graph/node.h no longer includes the op table, so Node::info() is gone: `n->info()` and
#     `n.info()` become `opInfo(n->kind())` / `opInfo(n.kind())`. tasks/ is left alone (its
#     TrialBuilder has an info() of its own).
# (b) Op rows name oneDNN's algorithms with mnemo's DnnlAlg (ops/op_table.h), so ops/ and
#     runtime/target/ include no oneDNN header: dnnl_eltwise_x / dnnl_binary_x become DnnlAlg::X.
# (c) A file that uses the op table and no longer gets it through node.h includes it.
mapfile -t code < <(printf '%s\n' "${files[@]}" | grep -E '\.(cpp|h)$' \
  | grep -E '^(graph|ops|runtime|frontend|training|analysis|cli|tests|tools|benchmarks|fuzz)/' \
  | grep -v -E '^(tests/tasks|tasks)/' | grep -v -x -E 'graph/op_kind\.h|ops/op_table\.h')
if ((${#code[@]})); then
  perl -i -pe '
    s/\b(\w+)(->|\.)info\(\)/opInfo($1$2kind())/g;
    if (m/\bdnnl_(eltwise|binary)_/ && $ARGV !~ m{^runtime/(kernels/|executable|session)}) {
      s/\bdnnl_eltwise_([a-z0-9_]+)\b/"DnnlAlg::" . join("", map { ucfirst } split(m{_}, $1))/ge;
      s/\bdnnl_binary_(add|sub|mul|div|max|min)\b/"DnnlAlg::" . ucfirst($1)/ge;
      s/\bdnnl_binary_(ge|gt|le|lt|eq|ne)\b/"DnnlAlg::" . {ge=>"GreaterEqual",gt=>"Greater",le=>"LessEqual",lt=>"Less",eq=>"Equal",ne=>"NotEqual"}->{$1}/ge;
    }
    $_ = "" if m{^\s*#\s*include\s*<dnnl_types\.h>} && $ARGV =~ m{^(ops|runtime/target)/};
  ' "${code[@]}"
  for f in "${code[@]}"; do
    case "$f" in graph/*.h | graph/*.cpp) [[ "$f" == graph/passes/* ]] || continue ;; esac
    grep -q -E '\bopInfo\(|\bOpInfo\b|DnnlAlg|DnnlLowering|ElementwiseTraits|FusionPattern' "$f" || continue
    grep -q '"ops/op_table.h"' "$f" && continue
    perl -0pi -e 's/((?:.*\n)*#include "[^"]*"\n)/$1#include "ops\/op_table.h"\n/' "$f"
    echo "relayout: $f: added #include \"ops/op_table.h\""
  done
fi

echo "relayout: moved $moved file(s); checked the references in ${#files[@]} file(s)"
echo "relayout: now build (cmake --build build) (the check_layers step checks every include against cmake/Layers.cmake)"
