#!/usr/bin/env bash
# `ringside mem` reports the USS, PSS and RSS smem reports for the same stopped processes.
# USS and RSS are sums of whole kB and must be equal. PSS is exact in smaps_rollup but smem
# sums per-mapping PSS, each truncated to a kB: rollup PSS is >= smem's, by less than 1 kB
# per mapping.
source "$RINGSIDE_SOURCE_DIR/tests/maps-helpers/common.sh"
need smem
need python3

mkdir "$work/files"
start_helper maps_layout "$work/files" 3
parent=$helper_pid
kids=($(children_of_helper))
stop "$parent" "${kids[@]}"
pids=("$parent" "${kids[@]}")

smem -H -c "pid uss pss rss swap" -P "maps_layout" > "$work/smem.txt"
"$RINGSIDE" mem --json "${pids[@]}" > "$work/mem.json"
for pid in "${pids[@]}"; do grep -c . "/proc/$pid/maps"; done > "$work/vmas.txt"

python3 - "$work" "${pids[@]}" <<'PY'
import json, sys
work, pids = sys.argv[1], [int(p) for p in sys.argv[2:]]
smem = {}
for line in open(f"{work}/smem.txt"):
    f = line.split()
    if len(f) == 5:
        smem[int(f[0])] = dict(uss=int(f[1]), pss=int(f[2]), rss=int(f[3]), swap=int(f[4]))
ours = {p["pid"]: p for p in json.load(open(f"{work}/mem.json"))["processes"]}
vmas = [int(x) for x in open(f"{work}/vmas.txt")]
bad = 0
for pid, nvma in zip(pids, vmas):
    s, o = smem.get(pid), ours.get(pid)
    if s is None or o is None:
        print(f"FAIL: pid {pid} missing (smem: {s is not None}, ringside: {o is not None})"); bad += 1; continue
    for key in ("uss", "rss", "swap"):
        if o[key] // 1024 != s[key]:
            print(f"FAIL: pid {pid} {key}: ringside {o[key]//1024} kB, smem {s[key]} kB"); bad += 1
    d = o["pss"] // 1024 - s["pss"]
    if not (0 <= d < nvma):
        print(f"FAIL: pid {pid} pss: ringside {o['pss']//1024} kB, smem {s['pss']} kB ({nvma} mappings)"); bad += 1
    print(f"pid {pid}: uss {o['uss']//1024} rss {o['rss']//1024} equal; pss rollup {o['pss']//1024} vs smem {s['pss']} (+{d} kB over {nvma} mappings)")
sys.exit(1 if bad else 0)
PY

# The per-user and per-mapping views add up to the per-process one.
"$RINGSIDE" mem -u --json "${pids[@]}" | python3 -c '
import json, sys
users = json.load(sys.stdin)["users"]
assert len(users) == 1 and users[0]["processes"] == 4, users'
"$RINGSIDE" mem -m --json "${pids[@]}" | python3 -c '
import json, sys
maps = {m["name"]: m for m in json.load(sys.stdin)["mappings"]}
z = maps["/dev/zero (deleted)"]
# One 4 MiB region from before the fork in all four, plus each process own 1 MiB one.
assert z["processes"] == 4 and z["mappings"] == 8, z
assert maps["/memfd:layout memfd (deleted)"]["processes"] == 4
'
# Text views, filters and units run and say what they show.
"$RINGSIDE" mem -t -k -P maps_layout | tail -1 | grep -q total || fail "mem -t has no totals row"
"$RINGSIDE" mem -p -s rss -r "${pids[@]}" | grep -q '%' || fail "mem -p shows no percentages"
echo "ok"
