#!/bin/bash
# ringside depmod vs kmod 30's depmod, side by side in one run, on copies of the Debian corpus
# (plain .ko, .ko.xz, .ko.zst) and on a rerun after touching one module. Prints the times
# (best of N runs, wall clock) and ringside/kmod ratios. Full-tree runs use --no-cache (cold
# for ringside's cache); the rerun uses the cache a previous run left, as an installed
# ringside would. Usage: bench/depmod_vs_kmod.sh [RINGSIDE_BINARY] [RUNS]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
rs=${1:-$here/build/src/cli/ringside}
runs=${2:-3}
corpus=$here/corpus
V=$(cat "$corpus/VERSION")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

copy_tree() { mkdir -p "$2/lib/modules" && cp -al "$corpus/$1/lib/modules/$V" "$2/lib/modules/"; }
best() { # best wall time in seconds of N runs of the command
    local t best=999999
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s.%N)
        t=$(echo "$end - $start" | bc)
        best=$(echo "if ($t < $best) $t else $best" | bc)
    done
    echo "$best"
}
row() { printf '%-34s %10.3f %10.3f %8.2f\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "kmod: $(depmod -V | head -1); ringside: $rs; best of $runs runs"
printf '%-34s %10s %10s %8s\n' "tree" "kmod s" "ringside s" "ratio"
for flavour in plain xz zst; do
    copy_tree $flavour "$work/k-$flavour"
    copy_tree $flavour "$work/r-$flavour"
    k=$(best depmod -b "$work/k-$flavour" "$V")
    r=$(best "$rs" depmod --no-cache -b "$work/r-$flavour" "$V")
    row "full, .ko${flavour/plain/}" "$k" "$r"
    if [[ $flavour == plain ]]; then k_plain=$k; fi
    if [[ $flavour == xz ]]; then k_xz=$k; fi
done
# Rerun after one module changed: kmod has no cache, so its time is its full time.
for flavour in plain xz; do
    cache=$work/cache-$flavour
    "$rs" depmod --cache "$cache" -b "$work/r-$flavour" "$V" >/dev/null 2>&1
    one=$(find "$work/r-$flavour/lib/modules/$V/kernel" -name '*.ko*' | head -1)
    total=0
    r=999999
    for _ in $(seq "$runs"); do
        touch "$one"
        start=$(date +%s.%N)
        "$rs" depmod --cache "$cache" -b "$work/r-$flavour" "$V" >/dev/null 2>&1
        end=$(date +%s.%N)
        t=$(echo "$end - $start" | bc)
        r=$(echo "if ($t < $r) $t else $r" | bc)
    done
    k=$k_plain
    [[ $flavour == xz ]] && k=$k_xz
    row "rerun after touching 1, .ko${flavour/plain/}" "$k" "$r"
done
