# Sourced by tests/e2e/maps/*.sh and bench/maps_*.sh: find the tools, start helper
# processes with known layouts, stop them (SIGSTOP) so two tools read the same state, and
# clean up on exit.
set -euo pipefail
: "${RINGSIDE:?RINGSIDE must point to the ringside binary}"
: "${RINGSIDE_BUILD_DIR:?}"
helpers=$RINGSIDE_BUILD_DIR/tests/maps-helpers
work=$(mktemp -d /tmp/ringside-maps.XXXXXX)
chmod 755 "$work"
started_pids=()

cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

need() {
  command -v "$1" >/dev/null || { echo "SKIP: $1 is not installed"; exit 77; }
}

# start_helper NAME ARGS...: runs a helper in the background, waits for its "ready PID"
# line, and sets $helper_out (its output file) and $helper_pid.
start_helper() {
  local name=$1; shift
  helper_out=$work/$name.$RANDOM.out
  "$helpers/$name" "$@" >"$helper_out" &
  started_pids+=($!)
  local i
  for i in $(seq 1 600); do
    grep -q '^ready' "$helper_out" 2>/dev/null && break
    sleep 0.05
  done
  helper_pid=$(awk '/^ready/{print $2}' "$helper_out")
  [[ -n $helper_pid ]] || { echo "FAIL: $name did not get ready"; cat "$helper_out"; exit 1; }
}

children_of_helper() { awk '/^child/{print $2}' "$helper_out"; }

stop() { kill -STOP "$@"; started_pids+=("$@"); }

fail() { echo "FAIL: $*"; exit 1; }
