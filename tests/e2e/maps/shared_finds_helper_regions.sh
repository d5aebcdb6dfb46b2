#!/usr/bin/env bash
# `ringside shared PARENT CHILD` finds exactly the objects the layout helper shares over
# fork (shared anonymous memory, memfd, SysV, a shared file, an unlinked file, a file whose
# name holds a newline, and the helper's own binary), not the MAP_SHARED region each
# process made after the fork, and, as root, the private pages the child left untouched.
source "$RINGSIDE_SOURCE_DIR/tests/maps-helpers/common.sh"
need python3

mkdir "$work/files"
start_helper maps_layout "$work/files" 1
parent=$helper_pid
child=$(children_of_helper)
stop "$parent" "$child"

"$RINGSIDE" shared --json "$parent" "$child" > "$work/shared.json"
python3 - "$work/shared.json" "$helper_out" "$helpers/maps_layout" "$work/files" "$parent" "$child" <<'PY'
import json, os, sys
doc_path, out_path, binary, files, parent, child = sys.argv[1:]
parent, child = int(parent), int(child)
doc = json.load(open(doc_path))
found = {(o["kind"], o["name"]) for o in doc["objects"]}
expected = {
    ("shared-anonymous", "/dev/zero (deleted)"),
    ("memfd", "/memfd:layout memfd (deleted)"),
    ("sysv-shm", "/SYSV00000000 (deleted)"),
    ("file", f"{files}/data file.bin"),
    ("deleted-file", f"{files}/gone.bin (deleted)"),
    ("file", f"{files}/new\nline.bin"),
    ("file", os.path.realpath(binary)),
}
if found != expected:
    print("FAIL: objects differ\n  missing:", expected - found, "\n  unexpected:", found - expected)
    sys.exit(1)
# Each region's start matches what the helper printed, in both processes.
regions = [l.split(" ", 5) for l in open(out_path) if l.startswith("region")]
starts = {int(r[3], 16) for r in regions if r[2] == "yes"}
for o in doc["objects"]:
    for use in o["uses"]:
        if o["kind"] != "file" or "layout" not in o["name"]:
            assert use["pid"] in (parent, child)
    if o["kind"] in ("shared-anonymous", "memfd", "sysv-shm", "deleted-file"):
        for use in o["uses"]:
            assert use["ranges"][0]["start"] in starts, o
        touched = {u["pid"]: u["touched"] for u in o["uses"]}
        # The parent wrote every page; the child never touched these after the fork.
        assert touched == {parent: True, child: False}, (o["name"], touched)
print(f"{len(found)} shared objects, exactly the helper's")
private = [r for r in regions if r[1] == "anonymous"][0]
start = int(private[3], 16)
if doc["frames_visible"]:
    cow = [c for c in doc["private_shared_frames"] if c["first_start"] == start]
    assert cow and cow[0]["pages"] == 512, cow   # the 2 MiB half the child did not rewrite
    print("pagemap: 512 private pages still shared after fork")
else:
    ne = [n for n in doc["private_not_exclusive"] if n["start"] == start]
    assert ne and ne[0]["pages"] == 512, ne
    print("pagemap (no frames): 512 private pages not exclusively mapped")
PY
"$RINGSIDE" shared "$parent" "$child" | grep -q "not touched by this process" || fail "text view lacks touch info"
"$RINGSIDE" shared --no-files "$parent" "$child" --json | python3 -c '
import json, sys
kinds = sorted(o["kind"] for o in json.load(sys.stdin)["objects"])
assert kinds == ["memfd", "shared-anonymous", "sysv-shm"], kinds'
echo "ok"
