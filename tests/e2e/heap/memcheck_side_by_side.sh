#!/usr/bin/env bash
# LABELS: heap slow nosan
# TIMEOUT: 600
# The labeled corpus under ringside check and under Valgrind memcheck, side by side: which tool
# reported the expected class of error for each program (and which reported anything at all for
# the correct ones). Fails if ringside misses a case or reports a correct program; memcheck's
# column is information (a case's "// MEMCHECK:" line explains where memcheck cannot report).
set -u
: "${RINGSIDE:?}" "${RINGSIDE_SOURCE_DIR:?}" "${RINGSIDE_BUILD_DIR:?}"
command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 77; }
cases=$RINGSIDE_SOURCE_DIR/tests/heap-cases
bins=$RINGSIDE_BUILD_DIR/tests/heap-cases/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# memcheck's words for each class (its XML <kind> values). A system call handed a buffer that
# runs past a block (read(fd, buf + used, n)) is memcheck's SyscallParam ("points to
# unaddressable byte(s)"): its overflow report for what the kernel would write.
declare -A vg_kind=(
  [invalid-access]='InvalidRead|InvalidWrite|UninitCondition|UninitValue'
  [heap-overflow]='InvalidRead|InvalidWrite|SyscallParam'
  [uninitialised-read]='SyscallParam|UninitCondition|UninitValue'
  [leak]='Leak_DefinitelyLost'
  [use-after-free]='InvalidRead|InvalidWrite'
  [double-free]='InvalidFree'
  [invalid-free]='InvalidFree'
  [mismatched-free]='MismatchedFree'
)
printf '%-38s %-18s %-10s %-10s\n' case expected ringside memcheck
ours=0 theirs=0 total=0 failures=0
for src in "$cases"/*.c "$cases"/*.cpp; do
  name=$(basename "${src%.*}")
  expect=$(sed -n 's|^// EXPECT: *||p' "$src" | head -1)
  options=$(sed -n 's|^// OPTIONS: *||p' "$src" | head -1)
  total=$((total + 1))
  # shellcheck disable=SC2086
  timeout 60 "$RINGSIDE" check --json="$work/r.json" $options -- "$bins/$name" >/dev/null 2>&1 </dev/null
  r_kinds=$(python3 -c 'import json,sys; print(" ".join(sorted({e["kind"] for e in json.load(open(sys.argv[1]))["errors"]})))' "$work/r.json" 2>/dev/null)
  timeout 120 valgrind --tool=memcheck --leak-check=full --xml=yes --xml-file="$work/v.xml" "$bins/$name" >/dev/null 2>&1 </dev/null
  v_kinds=$(grep -o '<kind>[A-Za-z_]*</kind>' "$work/v.xml" 2>/dev/null | sed 's/<[/]*kind>//g' | sort -u | tr '\n' ' ')
  if [ -n "$expect" ]; then
    r=no; [[ " $r_kinds " == *" $expect "* ]] && r=yes
    v=no; echo "$v_kinds" | grep -Eq "${vg_kind[$expect]}" && v=yes
    [ $r = yes ] && ours=$((ours + 1)) || failures=$((failures + 1))
    [ $v = yes ] && theirs=$((theirs + 1))
  else
    r=clean; [ -n "$r_kinds" ] && { r="FALSE($r_kinds)"; failures=$((failures + 1)); }
    v=clean; echo "$v_kinds" | grep -Eq 'Invalid|Uninit|Mismatched|Leak_DefinitelyLost|SyscallParam' && v="reported"
    ours=$((ours + 1)); [ "$v" = clean ] && theirs=$((theirs + 1))
  fi
  printf '%-38s %-18s %-10s %-10s\n' "$name" "${expect:-none}" "$r" "$v"
  # Where memcheck legitimately differs, the case says why ("// MEMCHECK: reason").
  why=$(sed -n 's|^// MEMCHECK: *||p' "$src" | head -1)
  if [ -n "$why" ] && { [ "$v" = no ] || [ "$v" = reported ]; }; then
    printf '    (memcheck: %s)\n' "$why"
  fi
done
echo "as expected: ringside $ours/$total, memcheck $theirs/$total"
[ "$failures" -eq 0 ]
