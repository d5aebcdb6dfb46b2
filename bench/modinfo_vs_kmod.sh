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

# Wall time (what a user waits) and CPU time (user + system, less disturbed by other load).
timed() {  # prints "wall_ms cpu_ms"
  /usr/bin/time -o /tmp/modinfo-bench.time -f '%e %U %S' "$@" > /dev/null 2>&1
  awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' /tmp/modinfo-bench.time
}
best_rs=999999 best_kmod=999999 cpu_rs=999999 cpu_kmod=999999
for ((i = 0; i < rounds; i++)); do
  read -r r rc < <(timed "$rs" modinfo "${paths[@]}")
  read -r k kc < <(timed modinfo "${paths[@]}")
  echo "round $((i + 1)): ringside ${r} ms (cpu ${rc} ms), kmod ${k} ms (cpu ${kc} ms)"
  ((r < best_rs)) && best_rs=$r
  ((k < best_kmod)) && best_kmod=$k
  ((rc < cpu_rs)) && cpu_rs=$rc
  ((kc < cpu_kmod)) && cpu_kmod=$kc
done
ratio=$(awk -v a="$best_rs" -v b="$best_kmod" 'BEGIN { printf "%.2f", a / b }')
cpu_ratio=$(awk -v a="$cpu_rs" -v b="$cpu_kmod" 'BEGIN { printf "%.2f", a / b }')
echo "best wall: ringside ${best_rs} ms, kmod ${best_kmod} ms, ratio ${ratio} (target <= 0.50)"
echo "best cpu:  ringside ${cpu_rs} ms, kmod ${cpu_kmod} ms, ratio ${cpu_ratio}"
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
