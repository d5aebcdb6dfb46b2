#!/usr/bin/env bash
# --only, --list, --help and bad options of `ringside ring`.
set -euo pipefail
[[ $(uname -m) == x86_64 ]] || exit 77

only=$("$RINGSIDE" ring --json --only hlt,cpuid)
python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
assert [p["name"] for p in doc["probes"]] == ["hlt", "cpuid"], doc["probes"]
' "$only"

"$RINGSIDE" ring --list | grep '^wbinvd  *privileged' >/dev/null
help=$("$RINGSIDE" ring --help)
grep -q 'Why Linux leaves rings 1 and 2 unused' <<<"$help"
grep -q 'Under a hypervisor' <<<"$help"

if "$RINGSIDE" ring --only nosuchprobe 2>"${TMPDIR:-/tmp}/ring-err.$$"; then
  echo "an unknown probe must fail"; exit 1
fi
grep -q "unknown probe 'nosuchprobe'" "${TMPDIR:-/tmp}/ring-err.$$"
rm -f "${TMPDIR:-/tmp}/ring-err.$$"
if "$RINGSIDE" ring --frobnicate 2>/dev/null; then
  echo "an unknown option must fail"; exit 1
fi
