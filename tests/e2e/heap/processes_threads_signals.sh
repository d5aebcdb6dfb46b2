#!/usr/bin/env bash
# LABELS: heap nosan
# TIMEOUT: 300
# fork + exec, threads and a program killed by a signal each get their report; a multithreaded
# stress test with cross-thread frees ends with no report and no deadlock.
set -u
: "${RINGSIDE:?}" "${RINGSIDE_BUILD_DIR:?}"
programs=$RINGSIDE_BUILD_DIR/tests/heap-cases/programs
bins=$RINGSIDE_BUILD_DIR/tests/heap-cases/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # NAME PYTHON-CONDITION-ON-doc
  if python3 -c "import json,sys; doc=json.load(open(sys.argv[1])); errs=doc['errors']; sys.exit(0 if ($2) else 1)" "$work/$1.json"; then
    echo "ok   $1"
  else
    echo "FAIL $1"; sed 's/^/    | /' "$work/$1.err" | head -30; failures=$((failures + 1))
  fi
}
timeout 120 "$RINGSIDE" check --json="$work/stress.json" -- "$programs/stress_threads" 2> "$work/stress.err"
check stress "not errs and doc['exit_status'] == 0"

"$RINGSIDE" check --json="$work/fork.json" -- "$programs/fork_exec" "$bins/heap_overflow_strcpy_strlen" > /dev/null 2> "$work/fork.err"
check fork "len({e['pid'] for e in errs}) == 2 and {'double-free','heap-overflow'} <= {e['kind'] for e in errs}"

"$RINGSIDE" check --trace-children=no --json="$work/nochild.json" -- "$programs/fork_exec" "$bins/heap_overflow_strcpy_strlen" > /dev/null 2> "$work/nochild.err"
check nochild "[e['kind'] for e in errs] == ['double-free']"

"$RINGSIDE" check --json="$work/threads.json" -- "$programs/threads_with_errors" 2> "$work/threads.err"
check threads "any(e['kind'] == 'use-after-free' and e['stacks'][0]['frames'][0]['function'] == 'worker' for e in errs)"

"$RINGSIDE" check --json="$work/killed.json" -- "$programs/killed_by_signal" k 2> "$work/killed.err"
check killed "doc['signal'] == 15 and any(e['kind'] == 'leak' and e['bytes'] == 300 for e in errs)"

# SIGTERM from outside, to the checked program while it sleeps.
"$RINGSIDE" check --json="$work/term.json" -- "$programs/killed_by_signal" 2> "$work/term.err" &
sleep 1
pkill -TERM -P $! -f killed_by_signal || kill -TERM $!
wait
check term "doc['signal'] == 15 and any(e['kind'] == 'leak' and e['bytes'] == 300 for e in errs)"
[ "$failures" -eq 0 ]
