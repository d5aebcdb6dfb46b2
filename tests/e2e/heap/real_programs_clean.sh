#!/usr/bin/env bash
# LABELS: heap nosan
# TIMEOUT: 300
# Real programs under `ringside check` give the same output and exit status as without it and
# no error report. Programs whose genuine leaks Valgrind memcheck also reports (sort, the
# assembler, cc1) run with --leak-check=no here; memcheck_side_by_side.sh compares the leaks.
set -u
: "${RINGSIDE:?}" "${RINGSIDE_SOURCE_DIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
printf 'int square(int x) { return x * x; }\n' > unit.c
printf 'import json, collections\nd = {str(i): [i] * 3 for i in range(20000)}\nc = collections.Counter(k[-1] for k in d)\nprint(len(d), json.dumps(sorted(c.items()))[:40])\n' > script.py
seq 1 3000 | sort -R --random-source=/dev/zero > numbers.txt

run() {  # NAME LEAK-CHECK COMMAND...
  local name=$1 leak=$2; shift 2
  "$@" > "$name.plain" 2>/dev/null; local plain_rc=$?
  "$RINGSIDE" check --error-exitcode=99 --leak-check="$leak" --json="$name.json" -- "$@" > "$name.checked" 2> "$name.err"
  local rc=$?
  local errors
  errors=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["errors"]))' "$name.json" 2>/dev/null || echo "no-json")
  if [ "$rc" != "$plain_rc" ] || [ "$errors" != 0 ] || ! cmp -s "$name.plain" "$name.checked"; then
    echo "FAIL $name: exit $rc (plain $plain_rc), $errors error(s)"; sed 's/^/    | /' "$name.err" | head -20
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

run python3 yes env PYTHONMALLOC=malloc python3 script.py
run gcc no gcc -O1 -c unit.c -o unit.o
run git_status yes git -C "$RINGSIDE_SOURCE_DIR" status --short
run sort no sort -n numbers.txt
run cmake_version yes cmake --version
run ls yes ls -la "$RINGSIDE_SOURCE_DIR"
run ringside_help yes "$RINGSIDE" --help
run ringside_pmap yes "$RINGSIDE" pmap $$

# ls closes stdout and stderr before exit: a leak injected into it must still be reported.
if "$RINGSIDE" check -- ls /nonexistent-path-for-ringside 2> ls.err >/dev/null; [ -s ls.err ] && grep -q "ERROR SUMMARY" ls.err; then
  echo "ok   ls-closed-stderr report"
else
  echo "FAIL ls-closed-stderr: no report"; failures=$((failures + 1))
fi
[ "$failures" -eq 0 ]
