#!/usr/bin/env bash
# LABELS: heap nosan
# TIMEOUT: 300
# Runs every program of tests/heap-cases under `ringside check` and compares with its header:
# "// EXPECT: KIND" must be reported with a frame at "// EXPECT-LINE: N" of the case's file in
# the stack named by "// EXPECT-STACK:" (default: where it happened; the allocation for
# leaks); "// EXPECT-NONE" programs must produce no error at all. Also prints the table.
set -u
: "${RINGSIDE:?}" "${RINGSIDE_SOURCE_DIR:?}" "${RINGSIDE_BUILD_DIR:?}"
cases=$RINGSIDE_SOURCE_DIR/tests/heap-cases
bins=$RINGSIDE_BUILD_DIR/tests/heap-cases/bin
[ -d "$bins" ] || { echo "corpus binaries not built in $bins"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
total=0
for src in "$cases"/*.c "$cases"/*.cpp; do
  name=$(basename "${src%.*}")
  file=$(basename "$src")
  expect=$(sed -n 's|^// EXPECT: *||p' "$src" | head -1)
  line=$(sed -n 's|^// EXPECT-LINE: *||p' "$src" | head -1)
  stack=$(sed -n 's|^// EXPECT-STACK: *||p' "$src" | head -1)
  options=$(sed -n 's|^// OPTIONS: *||p' "$src" | head -1)
  total=$((total + 1))
  # shellcheck disable=SC2086
  timeout 60 "$RINGSIDE" check --error-exitcode=99 --json="$work/$name.json" $options -- "$bins/$name" \
    >"$work/$name.out" 2>"$work/$name.err" </dev/null
  verdict=$(python3 - "$work/$name.json" "$file" "${expect:-}" "${line:-0}" "${stack:-}" <<'PY'
import json, sys
path, file, expect, line, stack = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
try:
    doc = json.load(open(path))
except Exception as e:
    print("FAIL no JSON report (%s)" % e); sys.exit()
errors = doc["errors"]
kinds = sorted({e["kind"] for e in errors})
if not expect:
    print("ok clean" if not errors else "FAIL false report: " + ",".join(kinds)); sys.exit()
matching = [e for e in errors if e["kind"] == expect]
if not matching:
    print("FAIL expected %s, got %s" % (expect, ",".join(kinds) or "nothing")); sys.exit()
def lines_of(e):
    role = stack or ("alloc" if e["kind"] == "leak" else "at")
    for s in e["stacks"]:
        if s["role"] == role:
            return [f["line"] for f in s["frames"] if (f["file"] or "").endswith("/" + file) or f["file"] == file]
    return []
found = [l for e in matching for l in lines_of(e)]
if line in found:
    print("ok %s at line %d" % (expect, line))
else:
    print("FAIL %s reported, but not at line %d (lines seen: %s)" % (expect, line, found))
PY
)
  printf '%-40s %-18s %s\n' "$name" "${expect:-none}" "$verdict"
  case $verdict in
    ok*) ;;
    *) failures=$((failures + 1)); sed 's/^/    | /' "$work/$name.err" | head -30 ;;
  esac
done
echo "$((total - failures))/$total cases as expected"
[ "$failures" -eq 0 ]
