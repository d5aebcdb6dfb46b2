#!/usr/bin/env bash
# Every view of `ringside pmap` prints exactly what procps pmap 4.0.2 prints for the same
# stopped processes (statically linked helpers, so no library PSS moves under us), and it
# takes more than the 255 PIDs pmap can.
source "$RINGSIDE_SOURCE_DIR/tests/maps-helpers/common.sh"
need pmap

mkdir "$work/files"
start_helper maps_layout "$work/files" 2
parent=$helper_pid
kids=($(children_of_helper))
start_helper maps_manymaps 300
many=$helper_pid
stop "$parent" "${kids[@]}" "$many"
pids=("$parent" "${kids[@]}" "$many")

checked=0
for options in "" "-x" "-d" "-X" "-XX" "-q" "-q -x" "-q -d" "-q -X" "-q -XX" "-p" "-p -X" "-p -XX" \
    "-x -A 7f0000000000,7fffffffffff" "-A 400000,500000" "-d -A 7f0000000000"; do
  # The kernel may age a stopped process's pages between two reads (the Referenced bits
  # change under MGLRU), so a difference is re-read up to three times before it counts.
  for attempt in 1 2 3; do
    # shellcheck disable=SC2086
    expected=$(pmap $options "${pids[@]}"; echo "rc=$?")
    # shellcheck disable=SC2086
    actual=$("$RINGSIDE" pmap $options "${pids[@]}"; echo "rc=$?")
    [[ "$expected" == "$actual" ]] && break
  done
  if [[ "$expected" != "$actual" ]]; then
    diff <(echo "$expected") <(echo "$actual") | head -20
    fail "ringside pmap $options differs from pmap"
  fi
  checked=$((checked + 1))
done
echo "pmap: $checked option sets identical on ${#pids[@]} processes ($(pmap -X "$many" | wc -l) lines for the 300-mapping one)"

# Kernel threads and the /proc/PID form, as pmap accepts them.
diff <(pmap -X 2 "/proc/$parent") <("$RINGSIDE" pmap -X 2 "/proc/$parent") || fail "kernel thread / /proc/PID form differs"

# Not found: pmap and ringside both say 42.
set +e
"$RINGSIDE" pmap 2147483000 >/dev/null 2>&1; rc=$?
set -e
[[ $rc == 42 ]] || fail "missing PID gave $rc, want 42"

# 300 PIDs in one call: pmap gives up at 256, ringside prints them all.
many_pids=()
for i in $(seq 1 300); do many_pids+=("$parent"); done
set +e
pmap -q "${many_pids[@]}" >/dev/null 2>&1; pmap_rc=$?
set -e
headers=$("$RINGSIDE" pmap -q "${many_pids[@]}" | grep -c "^$parent:")
[[ $headers == 300 ]] || fail "ringside pmap printed $headers of 300 processes"
echo "300 PIDs: pmap exit $pmap_rc, ringside printed all 300"

# self: our own process, by its real PID.
self_output=$("$RINGSIDE" pmap self)
self_line=${self_output%%$'\n'*}
[[ $self_line =~ ^[0-9]+:\ \ \ .*pmap\ self$ ]] || fail "pmap self header: $self_line"
echo "ok"
