#!/usr/bin/env bash
# ringside modinfo against kmod's modinfo over every plain module of the corpus: one process
# each with all paths, side by side, several rounds (best round counts), then the ratio.
#   bash bench/modinfo_vs_kmod.sh [ROUNDS]      (RINGSIDE=path/to/ringside to override)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
rs=${RINGSIDE:-$PWD/build/src/cli/ringside}
release=$(cat corpus/VERSION)
tree=$PWD/corpus/plain/lib/modules/$release
[[ -x $rs ]] || { echo "no ringside binary at $rs (bash scripts/build.sh plain)" >&2; exit 1; }
[[ -d $tree ]] || { echo "no corpus (bash scripts/fetch-corpus.sh)" >&2; exit 1; }
mapfile -t paths < <(find "$tree" -name '*.ko' | sort)
echo "modules: ${#paths[@]}  rounds: $rounds  machine: $(nproc) cores, $(uname -r)"

# Warm the page cache and check both agree before timing anything.
cmp -s <("$rs" modinfo "${paths[@]}") <(modinfo "${paths[@]}") || { echo "outputs differ; not timing" >&2; exit 1; }

best_rs=999999
best_kmod=999999
for ((i = 0; i < rounds; i++)); do
  t0=$(date +%s%N); "$rs" modinfo "${paths[@]}" > /dev/null; t1=$(date +%s%N)
  modinfo "${paths[@]}" > /dev/null; t2=$(date +%s%N)
  r=$(((t1 - t0) / 1000000)); k=$(((t2 - t1) / 1000000))
  echo "round $((i + 1)): ringside ${r} ms, kmod ${k} ms"
  ((r < best_rs)) && best_rs=$r
  ((k < best_kmod)) && best_kmod=$k
done
ratio=$(awk -v a="$best_rs" -v b="$best_kmod" 'BEGIN { printf "%.2f", a / b }')
echo "best: ringside ${best_rs} ms, kmod ${best_kmod} ms, ratio ${ratio} (target <= 0.50)"
