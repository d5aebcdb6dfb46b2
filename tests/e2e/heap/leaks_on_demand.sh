#!/usr/bin/env bash
# LABELS: heap nosan
# TIMEOUT: 120
# `ringside leaks PID` asks a running service for its leaks; --growth names the leaking site.
set -u
: "${RINGSIDE:?}" "${RINGSIDE_BUILD_DIR:?}"
service=$RINGSIDE_BUILD_DIR/tests/heap-cases/programs/service_leak
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$RINGSIDE" check --growth=300 --json="$work/growth.json" -- "$service" 4 2> "$work/check.err" &
sleep 2
pid=$(pgrep -n -f "$service 4")
"$RINGSIDE" leaks --json "$pid" > "$work/leaks.json" || { echo "FAIL: ringside leaks"; exit 1; }
wait
python3 - "$work/leaks.json" "$work/growth.json" <<'PY' || { sed 's/^/    | /' "$work/check.err" | head; exit 1; }
import json, sys
leaks = json.load(open(sys.argv[1]))["errors"]
growth = json.load(open(sys.argv[2]))["growth"]
ok_leaks = any(e["kind"] == "leak" and e["blocks"] > 10 and
               e["stacks"][0]["frames"][0]["function"] == "handle_request" for e in leaks)
ok_growth = any(g["stack"]["frames"][0]["function"] == "handle_request" for g in growth)
print("leaks on demand:", "ok" if ok_leaks else "FAIL", "| growth:", "ok" if ok_growth else "FAIL")
sys.exit(0 if ok_leaks and ok_growth else 1)
PY
