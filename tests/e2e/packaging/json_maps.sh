#!/usr/bin/env bash
# pmap, mem (all four views) and shared --json, on `self` and on the layout helper (which
# maps every kind of region and forks a child sharing them), validate against
# docs/json-schema/{pmap,mem,shared}.json; json_validate.py also checks that each schema
# rejects copies of the document that break docs/json.md.
source "$RINGSIDE_SOURCE_DIR/tests/maps-helpers/common.sh"
need python3
python3 -c 'import jsonschema, referencing' 2>/dev/null || { echo "SKIP: python3-jsonschema missing (scripts/setup.sh installs it)"; exit 77; }
schemas=$RINGSIDE_SOURCE_DIR/docs/json-schema
validate() { python3 "$RINGSIDE_SOURCE_DIR/tests/e2e/packaging/json_validate.py" "$schemas" "$@"; }

mkdir "$work/files"
start_helper maps_layout "$work/files" 1
child=$(children_of_helper)
out=$work/json
mkdir "$out"

# Exit status 1 (some process unreadable) or 3 (mem: some skipped) still prints the document.
run() {
  local file=$1; shift
  local status=0
  "$RINGSIDE" "$@" > "$out/$file" 2>> "$out/stderr" || status=$?
  [[ $status == 0 || $status == 1 || $status == 3 ]] || fail "ringside $* exited with $status"
}
run pmap-self.json pmap --json self
run pmap-x.json pmap --json -x self "$helper_pid"
run pmap-X.json pmap --json -X "$helper_pid" "$child"
run pmap-XX.json pmap --json -XX self "$helper_pid" "$child"
# PID 1 is unreadable for an unprivileged user (and in some VMs even for root): when it is,
# its object carries the error and no mappings.
run pmap-one.json pmap --json -X 1 "$helper_pid"
run mem-processes.json mem --json self "$helper_pid" "$child"
run mem-all.json mem --json
run mem-mappings.json mem --json -m "$helper_pid" "$child"
run mem-users.json mem --json -u
run mem-system.json mem --json -w
run shared.json shared --json "$helper_pid" "$child"
run shared-self.json shared --json self "$helper_pid"

# --watch redraws text: with --json it is refused (one line, status 1, no partial document).
status=0
"$RINGSIDE" mem --json --watch 1 > "$out/watch.out" 2> "$out/watch.err" || status=$?
[[ $status == 1 && ! -s $out/watch.out && $(wc -l < "$out/watch.err") == 1 ]] || fail "mem --json --watch: status $status"

validate pmap "$out"/pmap-*.json || fail "pmap --json does not match pmap.json"
validate mem "$out"/mem-*.json || fail "mem --json does not match mem.json"
validate shared "$out"/shared*.json || fail "shared --json does not match shared.json"

# The documents hold what the helper made, so the checks above ran over real content.
python3 - "$out" "$helper_pid" <<'PY' || fail "documents lack the helper's content"
import json, sys
out, helper = sys.argv[1], int(sys.argv[2])
pmap = json.load(open(f"{out}/pmap-XX.json"))
helper_maps = next(p for p in pmap["processes"] if p["pid"] == helper)["mappings"]
kinds = {m["kind"] for m in helper_maps}
assert {"memfd", "sysv-shm", "shared-anonymous", "file", "heap", "stack"} <= kinds, kinds
assert all(isinstance(m["fields"], dict) and m["vm_flags"] for m in helper_maps)
one = json.load(open(f"{out}/pmap-one.json"))["processes"]
assert [p["pid"] for p in one] == [1, helper], one
assert one[0]["error"] is not None or one[0]["mappings"], one[0]
shared = json.load(open(f"{out}/shared.json"))
assert {o["kind"] for o in shared["objects"]} >= {"memfd", "sysv-shm", "shared-anonymous"}, shared["objects"]
system = json.load(open(f"{out}/mem-system.json"))["system"]
meminfo = dict(line.split(":")[0:2] for line in open("/proc/meminfo"))
assert system["meminfo"]["MemTotal"] == int(meminfo["MemTotal"].split()[0]) * 1024
print("content ok:", len(helper_maps), "helper mappings,", len(shared["objects"]), "shared objects")
PY
echo "ok"
