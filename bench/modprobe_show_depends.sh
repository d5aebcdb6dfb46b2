#!/usr/bin/env bash
# Side by side: kmod 30's modprobe and ringside modprobe on the Debian corpus (indexed by kmod's
# depmod): --show-depends for every module name and every alias (in -a batches of 1000), and -c.
# One run each after a warm-up; prints the times and the ratio ringside/kmod.
#   bench/modprobe_show_depends.sh [path/to/ringside]
set -euo pipefail
cd "$(dirname "$0")/.."
rs=${1:-$PWD/build/src/cli/ringside}
release=$(cat corpus/VERSION)
plain=$PWD/corpus/plain/lib/modules/$release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/lib/modules/$release"
ln -s "$plain/kernel" "$work/root/lib/modules/$release/kernel"
cp "$plain"/modules.{order,builtin,builtin.modinfo} "$work/root/lib/modules/$release/"
depmod -b "$work/root" "$release"
dir=$work/root/lib/modules/$release
awk -F: '{print $1}' "$dir/modules.dep" | sed 's|.*/||; s|\.ko.*||' > "$work/names"
awk '$1 == "alias" {print $2}' "$dir/modules.alias" | sort -u > "$work/aliases"

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
measure() {  # measure LABEL ARGS... (the names come from stdin files given as $list)
  local label=$1; shift
  local k r
  "$@" modprobe >/dev/null 2>&1 || true
  k=$(seconds "$@" modprobe)
  r=$(seconds "$@" "$rs modprobe")
  printf '%-44s kmod %7.3f s   ringside %7.3f s   ratio %.2f\n' "$label" "$k" "$r" "$(echo "$r / $k" | bc -l)"
}
batch() { local tool=$1 list=$2; shift 2; xargs -d '\n' -n 1000 $tool -d "$work/root" -S "$release" "$@" < "$list"; }
names_d() { batch "$1" "$work/names" --show-depends -a; }
aliases_d() { batch "$1" "$work/aliases" --show-depends -a; }
config_c() { $1 -d "$work/root" -S "$release" -c; }
echo "corpus $release: $(wc -l < "$work/names") names, $(wc -l < "$work/aliases") aliases; $(nproc) cores; $(date -u +%F)"
measure "--show-depends, every module name" names_d
measure "--show-depends, every alias" aliases_d
measure "-c (config and index dump)" config_c
