#!/usr/bin/env bash
# LABELS: corpus slow
# TIMEOUT: 600
# ringside modinfo against kmod 30's modinfo on EVERY module of the Debian corpus: by path and by
# name (through indexes kmod's depmod builds), for the plain tree and the xz and zst copies.
# Debian's kmod has no zlib, so the .ko.gz copies are compared with kmod's output on the plain
# tree, file names adjusted. One process per side and run; stdout and exit status must match.
set -uo pipefail
corpus=${RINGSIDE_SOURCE_DIR:?}/corpus
rs=${RINGSIDE:?}
if [[ ! -f $corpus/COMPLETE ]]; then
  echo "SKIP: no corpus at $corpus (run scripts/fetch-corpus.sh)"
  exit 77
fi
command -v modinfo >/dev/null && command -v depmod >/dev/null || { echo "SKIP: kmod not installed"; exit 77; }
release=$(cat "$corpus/VERSION")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

differences=0
compared=0

# compare LABEL COUNT RINGSIDE_OUT RINGSIDE_STATUS KMOD_OUT KMOD_STATUS
compare() {
  local label=$1 count=$2 ours=$3 our_status=$4 theirs=$5 their_status=$6
  compared=$((compared + count))
  if [[ $our_status != "$their_status" ]]; then
    echo "DIFF $label: exit status ringside=$our_status kmod=$their_status"
    differences=$((differences + 1))
  fi
  if ! cmp -s "$ours" "$theirs"; then
    local lines
    lines=$(diff -a "$theirs" "$ours" | grep -c '^[<>]')
    echo "DIFF $label: $lines differing lines (< kmod, > ringside):"
    diff -a "$theirs" "$ours" | grep '^[<>]'
    differences=$((differences + lines))
  fi
  echo "compared $label: $count modules"
}

# A module directory of symlinks to the corpus tree, with kmod's (or ringside's) indexes.
make_basedir() {
  local kind=$1 base=$work/base-$1
  mkdir -p "$base/lib/modules/$release"
  for f in "$corpus/$kind/lib/modules/$release"/*; do
    ln -s "$f" "$base/lib/modules/$release/"
  done
  echo "$base"
}

plain_base=$(make_basedir plain)
depmod -b "$plain_base" "$release" || { echo "FAIL: kmod depmod on the plain tree"; exit 1; }
names=$work/names
# Module names as users type them (file names with '-'), and every built-in module.
sed 's/:.*//; s|.*/||; s/\.ko.*//' "$plain_base/lib/modules/$release/modules.dep" > "$names"
sed 's|.*/||; s/\.ko.*//' "$plain_base/lib/modules/$release/modules.builtin" >> "$names"
name_count=$(wc -l < "$names")

for kind in plain xz zst; do
  list=$work/$kind.paths
  find "$corpus/$kind/lib/modules/$release" -name '*.ko*' -type f | sort > "$list"
  count=$(wc -l < "$list")
  mapfile -t paths < "$list"
  "$rs" modinfo "${paths[@]}" > "$work/$kind-path.rs" 2>/dev/null; rs_status=$?
  modinfo "${paths[@]}" > "$work/$kind-path.kmod" 2>/dev/null; kmod_status=$?
  compare "$kind by path" "$count" "$work/$kind-path.rs" $rs_status "$work/$kind-path.kmod" $kmod_status
  echo $kmod_status > "$work/$kind-path.status"

  if [[ $kind == plain ]]; then
    base=$plain_base
  else
    base=$(make_basedir "$kind")
    depmod -b "$base" "$release" || { echo "FAIL: kmod depmod on the $kind tree"; exit 1; }
  fi
  mapfile -t modules < "$names"
  "$rs" modinfo -b "$base" -k "$release" "${modules[@]}" > "$work/$kind-name.rs" 2>/dev/null; rs_status=$?
  modinfo -b "$base" -k "$release" "${modules[@]}" > "$work/$kind-name.kmod" 2>/dev/null; kmod_status=$?
  compare "$kind by name" "$name_count" "$work/$kind-name.rs" $rs_status "$work/$kind-name.kmod" $kmod_status
  echo $kmod_status > "$work/$kind-name.status"
done

# gzip: ringside reads the .ko.gz copies; kmod's answer comes from the plain tree.
gz_list=$work/gz.paths
sed "s|^$corpus/plain/|$corpus/gz/|; s|\.ko\$|.ko.gz|" "$work/plain.paths" > "$gz_list"
mapfile -t paths < "$gz_list"
"$rs" modinfo "${paths[@]}" > "$work/gz-path.rs" 2>/dev/null; rs_status=$?
sed "/^filename:/ { s|$corpus/plain/|$corpus/gz/|; s|\.ko\$|.ko.gz| }" "$work/plain-path.kmod" > "$work/gz-path.kmod"
compare "gz by path" "${#paths[@]}" "$work/gz-path.rs" $rs_status "$work/gz-path.kmod" "$(cat "$work/plain-path.status")"

# By name needs indexes that list .ko.gz files, which kmod 30 cannot write: ringside's depmod
# writes them when it is available in this build.
gz_base=$(make_basedir gz)
if "$rs" depmod -b "$gz_base" "$release" 2>/dev/null && [[ -f $gz_base/lib/modules/$release/modules.dep.bin ]]; then
  mapfile -t modules < "$names"
  "$rs" modinfo -b "$gz_base" -k "$release" "${modules[@]}" > "$work/gz-name.rs" 2>/dev/null; rs_status=$?
  plain_dir=$plain_base/lib/modules/$release
  gz_dir=$gz_base/lib/modules/$release
  sed "/^filename:/ { s|^\(filename: *\)$plain_dir/\(.*\)\.ko\$|\1$gz_dir/\2.ko.gz| }" "$work/plain-name.kmod" > "$work/gz-name.kmod"
  compare "gz by name" "$name_count" "$work/gz-name.rs" $rs_status "$work/gz-name.kmod" "$(cat "$work/plain-name.status")"
else
  echo "note: gz by name not compared (ringside depmod not available in this build)"
fi

echo "modinfo corpus comparison: $compared module lookups compared, $differences differences"
[[ $differences -eq 0 ]]
