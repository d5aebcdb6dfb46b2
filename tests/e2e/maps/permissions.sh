#!/usr/bin/env bash
# An unprivileged user sees its own processes, gets a clear per-process "permission denied"
# for everyone else's, and the exit status says something was skipped (3); pmap keeps
# procps' behaviour (header only, exit 1) for an unreadable process.
# LABELS: nosan
source "$RINGSIDE_SOURCE_DIR/tests/maps-helpers/common.sh"
need python3
need useradd
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root to create a test user"; exit 77; }

user=ringside-maps-t$$
useradd --no-create-home --shell /usr/sbin/nologin "$user" 2>/dev/null || { echo "SKIP: useradd failed"; exit 77; }
trap 'cleanup; userdel "$user" 2>/dev/null || true' EXIT
as_user() { setpriv --reuid="$user" --regid="$user" --clear-groups -- "$@"; }

# Copies the user can run, in a directory it can read.
cp "$RINGSIDE" "$work/ringside"
cp "$helpers/maps_layout" "$work/maps_layout"
mkdir "$work/files" && chown "$user" "$work/files"
as_user "$work/maps_layout" "$work/files" 1 > "$work/layout.out" &
started_pids+=($!)
for i in $(seq 1 100); do grep -q '^ready' "$work/layout.out" 2>/dev/null && break; sleep 0.05; done
own=$(awk '/^ready/{print $2}' "$work/layout.out")
kid=$(awk '/^child/{print $2}' "$work/layout.out")
[[ -n $own ]] || fail "helper did not start as $user"
started_pids+=("$own" "$kid")

# The whole-system view: own processes present, others skipped with a reason, exit 3.
set +e
as_user "$work/ringside" mem --json > "$work/mem.json" 2> "$work/mem.err"; rc=$?
set -e
[[ $rc == 3 ]] || fail "mem as $user exited $rc, want 3 (something skipped)"
grep -q "^ringside mem: skipped: /proc/1/smaps_rollup: permission denied" "$work/mem.err" \
  || { head -3 "$work/mem.err"; fail "no per-process permission denied for PID 1"; }
python3 - "$work/mem.json" "$own" "$kid" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
pids = {p["pid"] for p in doc["processes"]}
own = {int(sys.argv[2]), int(sys.argv[3])}
assert own <= pids, (own, pids)
users = {p["user"] for p in doc["processes"]}
assert len(users) == 1, users          # only the user's own processes were readable
assert all(s["kind"] in ("permission", "notfound", "not-found") for s in doc["skipped"]), doc["skipped"][:3]
print(f"{len(pids)} own processes read, {len(doc['skipped'])} skipped")
PY

# Asking for its own processes only: nothing skipped, exit 0.
as_user "$work/ringside" mem "$own" "$kid" > /dev/null || fail "mem of own processes failed"

# pmap on a root process: the same output and exit status as procps pmap.
set +e
expected=$(as_user pmap -x $$ 2>/dev/null; echo "rc=$?")
actual=$(as_user "$work/ringside" pmap -x $$ 2>"$work/pmap.err"; echo "rc=$?")
set -e
[[ "$expected" == "$actual" ]] || { diff <(echo "$expected") <(echo "$actual"); fail "pmap of a root process differs"; }
grep -q "permission denied" "$work/pmap.err" || fail "pmap said nothing about permission"

# shared works on its own processes without privilege: identity from maps, no page frames.
as_user "$work/ringside" shared --json "$own" "$kid" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert not doc["frames_visible"]
assert any(o["kind"] == "shared-anonymous" for o in doc["objects"])
assert all(o.get("unlinked") is None for o in doc["objects"])   # map_files stat needs CAP_SYS_ADMIN'
set +e
as_user "$work/ringside" shared "$own" 1 >/dev/null 2>"$work/shared.err"; rc=$?
set -e
[[ $rc == 3 ]] && grep -q "permission denied" "$work/shared.err" || fail "shared with a root process: rc $rc"
echo "ok"
