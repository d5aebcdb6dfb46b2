#!/usr/bin/env bash
# LABELS: heap nosan
# TIMEOUT: 180
# `check --json=FILE` on programs of the labelled heap-error corpus (tests/heap-cases), one per
# error kind plus a clean one, and `leaks --json` on a running leaking service, validate against
# docs/json-schema/{check,leaks}.json (json_validate.py also checks that the schemas reject
# documents that break docs/json.md).
set -uo pipefail
: "${RINGSIDE:?}" "${RINGSIDE_BUILD_DIR:?}" "${RINGSIDE_SOURCE_DIR:?}"
python3 -c 'import jsonschema, referencing' 2>/dev/null || { echo "SKIP: python3-jsonschema missing (scripts/setup.sh installs it)"; exit 77; }
schemas=$RINGSIDE_SOURCE_DIR/docs/json-schema
validate() { python3 "$RINGSIDE_SOURCE_DIR/tests/e2e/packaging/json_validate.py" "$schemas" "$@"; }
cases=$RINGSIDE_BUILD_DIR/tests/heap-cases/bin
service=$RINGSIDE_BUILD_DIR/tests/heap-cases/programs/service_leak
work=$(mktemp -d)
service_pid=
cleanup() {
  [[ -n $service_pid ]] && kill "$service_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

programs=(heap_overflow_memcpy_count heap_underflow_store uaf_write_after_free double_free_simple invalid_free_stack
  mismatched_new_free invalid_access_null_deref leak_linked_list good_stl_containers)
for program in "${programs[@]}"; do
  [[ -x $cases/$program ]] || fail "$cases/$program not built"
  timeout 60 "$RINGSIDE" check --json="$work/$program.json" -- "$cases/$program" > /dev/null 2>&1
  [[ -s $work/$program.json ]] || fail "check --json wrote nothing for $program"
done
validate check "$work"/*.json || fail "check --json does not match check.json"

# Every error kind of those programs appeared, so the schema was applied to each shape.
python3 - "$work" <<'PY' || fail "the corpus documents lack the expected errors"
import json, pathlib, sys
kinds = set()
for path in pathlib.Path(sys.argv[1]).glob("*.json"):
    kinds |= {e["kind"] for e in json.loads(path.read_text())["errors"]}
expected = {"heap-overflow", "use-after-free", "double-free", "invalid-free", "mismatched-free", "invalid-access", "leak"}
assert expected <= kinds, sorted(kinds)
print("error kinds seen:", ", ".join(sorted(kinds)))
PY

[[ -x $service ]] || fail "$service not built"
"$RINGSIDE" check --growth=300 --json="$work/service.check" -- "$service" 4 > /dev/null 2>&1 &
for i in $(seq 1 100); do
  service_pid=$(pgrep -n -f "^$service 4") && break
  sleep 0.1
done
[[ -n $service_pid ]] || fail "service_leak did not start"
sleep 1
"$RINGSIDE" leaks --json "$service_pid" > "$work/leaks.out" || fail "ringside leaks --json $service_pid"
wait
validate leaks "$work/leaks.out" || fail "leaks --json does not match leaks.json"
validate check "$work/service.check" || fail "check --growth --json does not match check.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["tool"]=="leaks" and any(e["kind"]=="leak" for e in d["errors"]), d["errors"][:1]' "$work/leaks.out" \
  || fail "leaks --json holds no leak"
echo "ok"
