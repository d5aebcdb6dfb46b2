#!/usr/bin/env bash
# Runs every fuzz target built in build-fuzz/ for a bounded time each, seeded from fuzz/seeds/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
status=0
for target in build-fuzz/fuzz/fuzz_*; do
  [[ -x "$target" ]] || continue
  name=$(basename "$target")
  work=$(mktemp -d)
  seeds=()
  [[ -d fuzz/seeds/$name ]] && seeds=(fuzz/seeds/$name)
  if "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 "$work" "${seeds[@]}" \
      >"$work.log" 2>&1; then
    echo "fuzz: $name ran ${seconds}s: $(grep -o 'Done [0-9]* runs' "$work.log" || echo done), no crash"
  else
    echo "fuzz: $name FAILED"; tail -40 "$work.log"; status=1
  fi
  rm -rf "$work" "$work.log"
done
exit $status
