#!/usr/bin/env bash
# LABELS: heap nosan
# TIMEOUT: 300
# Guard pages that scale. By default one block in 5000 is placed against a guard page and its
# page made inaccessible when freed: programs that read past a block or after free (which no
# redzone sees) are caught at the read, with no option. --guard-sample=0 turns it off, which
# shows the catch came from the sampling. --guard puts every block it can behind a guard page
# (at least 8-byte aligned) and, unlike a mapping per block (Electric Fence, DUMA), keeps the process far below
# vm.max_map_count with 200,000 live blocks: the rest fall back to redzones. Blocks of 32 MiB
# or more always get a mapping of their own, whose pages go back when freed; smaller large
# blocks are parked while quarantined; a read() stopped short by a guard page is reported as
# the overflow it would have been.
set -u
: "${RINGSIDE:?}" "${RINGSIDE_BUILD_DIR:?}"
programs=$RINGSIDE_BUILD_DIR/tests/heap-cases/programs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # NAME PYTHON-CONDITION-ON-doc/errs
  if python3 -c "import json,sys; doc=json.load(open(sys.argv[1])); errs=doc['errors']; sys.exit(0 if ($2) else 1)" "$work/$1.json"; then
    echo "ok   $1"
  else
    echo "FAIL $1"; sed 's/^/    | /' "$work/$1.err" | head -30; failures=$((failures + 1))
  fi
}
at_line() {  # python: the first error's own stack has a frame at FILE:LINE
  echo "errs and any(f['line'] == $2 and (f['file'] or '').endswith('$1') for f in errs[0]['stacks'][0]['frames'])"
}

# Default options: 100,000 reads past the end, ~20 of them on sampled blocks (at least 10: the
# sampling interval never exceeds 9,999); the first faults.
"$RINGSIDE" check --json="$work/past.json" -- "$programs/guard_read_past" 100000 > /dev/null 2> "$work/past.err"
check past "[e['kind'] for e in errs] == ['heap-overflow'] and doc['signal'] == 11 and $(at_line guard_read_past.c 16)"

"$RINGSIDE" check --json="$work/after.json" -- "$programs/guard_read_after_free" 100000 > /dev/null 2> "$work/after.err"
check after "[e['kind'] for e in errs] == ['use-after-free'] and doc['signal'] == 11 and $(at_line guard_read_after_free.c 14)
  and {s['role'] for s in errs[0]['stacks']} >= {'at', 'alloc', 'free'}"

# Sampling off: the same programs run to the end unreported (reads leave no trace).
"$RINGSIDE" check --guard-sample=0 --json="$work/past_off.json" -- "$programs/guard_read_past" 100000 > "$work/past_off.out" 2> "$work/past_off.err"
check past_off "not errs and doc['exit_status'] == 0"
"$RINGSIDE" check --guard-sample=0 --json="$work/after_off.json" -- "$programs/guard_read_after_free" 100000 > /dev/null 2> "$work/after_off.err"
check after_off "not errs and doc['exit_status'] == 0"

# Plain run for the expected output of the many-blocks program.
expected=$("$programs/guard_many_live" 200000 | cut -d' ' -f2)
limit=$(cat /proc/sys/vm/max_map_count)
"$RINGSIDE" check --guard --json="$work/many.json" -- "$programs/guard_many_live" 200000 > "$work/many.out" 2> "$work/many.err"
read -r peak sum < "$work/many.out"
echo "     --guard, 200000 live blocks: $peak mappings at the peak (vm.max_map_count $limit)"
check many "not errs and doc['exit_status'] == 0 and $sum == $expected and 16384 < $peak < $limit - 16384"

# A real program under --guard: CPython with its objects on malloc, 100,000 of them alive.
PYTHONMALLOC=malloc "$RINGSIDE" check --guard --json="$work/python.json" -- /usr/bin/python3 -c '
d = {str(i): [i] * 3 for i in range(100000)}
print(len(d), sum(1 for _ in open("/proc/self/maps")))' > "$work/python.out" 2> "$work/python.err"
read -r entries maps < "$work/python.out"
echo "     --guard, python3 with 100000 dict entries: $maps mappings"
check python "not errs and doc['exit_status'] == 0 and '$entries' == '100000' and 16384 < ${maps:-0} < $limit - 16384"

# --guard still ends each block exactly at its guard page (no alignment slack).
"$RINGSIDE" check --guard --json="$work/exact.json" -- "$programs/guard_read_past" 10 > /dev/null 2> "$work/exact.err"
check exact "[e['kind'] for e in errs] == ['heap-overflow'] and $(at_line guard_read_past.c 16)"

# Blocks of 32 MiB or more get a mapping of their own by default (glibc maps those on its own
# too): once freed, their pages are given back while the block waits in the quarantine, so 50
# of them allocated, filled and freed one after another peak at one block's memory, as plain.
read -r plain_peak _ _ < <("$programs/big_block_churn" 50)
"$RINGSIDE" check --json="$work/churn.json" -- "$programs/big_block_churn" 50 > "$work/churn.out" 2> "$work/churn.err"
read -r peak maps _ < "$work/churn.out"
echo "     50 freed 40 MiB blocks: peak RSS ${peak:-?} kB (plain $plain_peak kB), $maps mappings"
check churn "not errs and doc['exit_status'] == 0 and ${peak:-0} < 2 * $plain_peak"

# Smaller large blocks (200 KB: glibc's memory, not a mapping of their own) are parked while
# quarantined (their inner pages made inaccessible) and the newest one is held even when the
# budget alone would let it go: 5,000 of them churned must neither keep their mappings split
# nor hold more memory than about one block over what the budget allows.
read -r plain_peak plain_maps plain_sum < <("$programs/big_block_churn" 5000 200)
"$RINGSIDE" check --json="$work/parked.json" -- "$programs/big_block_churn" 5000 200 > "$work/parked.out" 2> "$work/parked.err"
read -r peak maps sum < "$work/parked.out"
echo "     5000 freed 200 KB blocks: peak RSS ${peak:-?} kB (plain $plain_peak kB), $maps mappings (plain $plain_maps)"
check parked "not errs and doc['exit_status'] == 0 and '${sum:-}' == '$plain_sum' and ${maps:-0} < $plain_maps + 64
  and ${peak:-0} < 2 * $plain_peak + 2048"

# A read() whose count runs past a block that ends at a guard page: the kernel stops at the
# guard page and returns a short count, where without the checker it would have overflowed;
# the request is reported at the call.
cases=$RINGSIDE_BUILD_DIR/tests/heap-cases/bin
"$RINGSIDE" check --guard --json="$work/short_read.json" -- "$cases/heap_overflow_large_read_into_offset" > /dev/null 2> "$work/short_read.err"
check short_read "[e['kind'] for e in errs] == ['heap-overflow'] and $(at_line heap_overflow_large_read_into_offset.c 21)"

if [ "$failures" -ne 0 ]; then
  echo "$failures guard-pool check(s) failed"
  exit 1
fi
echo "guard pool: all checks passed"
