#!/usr/bin/env bash
# TIMEOUT: 300
# Broken modules made from a real one (tests/kmod-fixtures): truncated at many offsets, bad
# section tables, string tables without NUL, overlapping sections, absurd sizes, broken
# signatures, corrupt xz/zstd/gzip streams, decompression bombs, an empty file, a directory.
# Each must give one error line on stderr that names the file, a non-zero exit status below
# 128 (no crash), within a time limit, and no sanitizer report.
set -uo pipefail
corpus=${RINGSIDE_SOURCE_DIR:?}/corpus
rs=${RINGSIDE:?}
generator=${RINGSIDE_BUILD_DIR:?}/tests/kmod-fixtures/kmod_fixture_gen
[[ -x $generator ]] || { echo "FAIL: $generator not built"; exit 1; }
release=$(cat "$corpus/VERSION" 2>/dev/null)
source_module=$corpus/plain/lib/modules/$release/kernel/fs/fat/vfat.ko
if [[ ! -f $source_module ]]; then
  echo "SKIP: no corpus module at $source_module (run scripts/fetch-corpus.sh)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fixtures=$work/fixtures
mkdir -p "$fixtures"
"$generator" "$source_module" "$fixtures" >/dev/null || { echo "FAIL: fixture generator"; exit 1; }
mkdir "$fixtures/directory.ko"

failures=0
checked=0
for file in "$fixtures"/*; do
  checked=$((checked + 1))
  timeout 60 "$rs" modinfo -b "$work/no-root" -k none "$file" > "$work/out" 2> "$work/err"
  status=$?
  lines=$(grep -c . "$work/err")
  problem=
  if [[ $status -eq 0 ]]; then problem="exit status 0"
  elif [[ $status -eq 124 ]]; then problem="timed out"
  elif [[ $status -ge 128 ]]; then problem="killed by signal $((status - 128))"
  elif grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$work/err"; then problem="sanitizer report"
  elif [[ $lines -ne 1 ]]; then problem="$lines lines on stderr, expected 1"
  elif ! grep -qF "$file" "$work/err"; then problem="the error does not name the file"
  fi
  if [[ -n $problem ]]; then
    echo "FAIL $(basename "$file"): $problem"
    sed 's/^/    /' "$work/err" | head -20
    failures=$((failures + 1))
  fi
done

# All of them in one process: every one reported, the status non-zero, and --json holds up too.
timeout 120 "$rs" modinfo -b "$work/no-root" -k none "$fixtures"/* > /dev/null 2> "$work/err"
status=$?
reported=$(grep -c . "$work/err")
if [[ $status -eq 0 || $status -ge 124 || $reported -ne $checked ]]; then
  echo "FAIL all in one process: status $status, $reported error lines for $checked files"
  failures=$((failures + 1))
fi
timeout 120 "$rs" modinfo --json -b "$work/no-root" -k none "$fixtures"/*.ko > "$work/json" 2> "$work/err"
status=$?
if [[ $status -eq 0 || $status -ge 124 ]] || ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/json"; then
  echo "FAIL --json over the broken modules: status $status"
  failures=$((failures + 1))
fi

echo "modinfo malformed: $checked broken modules, $failures failures"
[[ $failures -eq 0 ]]
