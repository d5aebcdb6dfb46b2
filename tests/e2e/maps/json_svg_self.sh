#!/usr/bin/env bash
# Every view takes `self` and --json (a document with schema_version), and --svg writes a
# well-formed picture of an address space and of the system.
source "$RINGSIDE_SOURCE_DIR/tests/maps-helpers/common.sh"
need python3

mkdir "$work/files"
start_helper maps_layout "$work/files" 1
child=$(children_of_helper)
check_json() { python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["schema_version"]==1, d; print(d["tool"])' ; }
"$RINGSIDE" pmap --json -X self | check_json
"$RINGSIDE" mem --json self | check_json
"$RINGSIDE" mem -w --json | check_json || true
"$RINGSIDE" shared --json "$helper_pid" "$child" | check_json
"$RINGSIDE" pmap --json "$helper_pid" | python3 -c '
import json, sys
m = json.load(sys.stdin)["processes"][0]["mappings"]
names = [x["name"] for x in m]
assert any(n.endswith("new\nline.bin") for n in names), names   # \012 decoded
kinds = {x["kind"] for x in m}
assert {"memfd", "sysv-shm", "shared-anonymous", "deleted-file", "file", "heap", "stack", "kernel"} <= kinds, kinds'

"$RINGSIDE" mem --svg "$work/process.svg" "$helper_pid" > /dev/null
set +e
"$RINGSIDE" mem --svg "$work/system.svg" > /dev/null
"$RINGSIDE" shared --svg "$work/shared.svg" self "$helper_pid" > /dev/null
set -e
for f in process system shared; do
  python3 -c 'import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); assert r.tag.endswith("svg"); print(sys.argv[1], len(r))' "$work/$f.svg" \
    || fail "$f.svg is not well-formed"
done
grep -q "Address space of $helper_pid" "$work/process.svg" || fail "process svg title"
grep -q "Who holds the memory" "$work/system.svg" || fail "system svg title"

# Bad input: one clear line and a non-zero exit, never a crash.
set +e
"$RINGSIDE" pmap notapid 2>"$work/err"; [[ $? == 1 ]] || fail "pmap notapid"
"$RINGSIDE" mem -s nosuchfield 2>"$work/err"; [[ $? == 1 ]] || fail "mem -s nosuchfield"
"$RINGSIDE" mem -P '(' 2>"$work/err"; [[ $? == 1 ]] || fail "mem -P ("
"$RINGSIDE" shared 1 2>"$work/err"; [[ $? == 1 ]] || fail "shared with one PID"
set -e
echo "ok"
