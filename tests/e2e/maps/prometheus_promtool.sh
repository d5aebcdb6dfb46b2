#!/usr/bin/env bash
# `ringside mem --prometheus` is valid Prometheus text exposition format (promtool agrees),
# and --prometheus=FILE writes the textfile-collector file in one piece.
source "$RINGSIDE_SOURCE_DIR/tests/maps-helpers/common.sh"
need promtool

mkdir "$work/files"
start_helper maps_layout "$work/files" 1
set +e
"$RINGSIDE" mem --prometheus > "$work/metrics.prom"; rc=$?
set -e
[[ $rc == 0 || $rc == 3 ]] || fail "mem --prometheus exited $rc"
promtool check metrics < "$work/metrics.prom" || fail "promtool rejects the output"
grep -q "^ringside_process_pss_bytes{pid=\"$helper_pid\"," "$work/metrics.prom" || fail "helper's PSS missing"
grep -q '^ringside_system_userspace_mapped_bytes ' "$work/metrics.prom" || fail "system figures missing"

mkdir "$work/textfile"
"$RINGSIDE" mem --prometheus="$work/textfile/ringside.prom" "$helper_pid" || fail "--prometheus=FILE failed"
promtool check metrics < "$work/textfile/ringside.prom" || fail "promtool rejects the file"
[[ $(ls "$work/textfile") == ringside.prom ]] || fail "temporary files left behind: $(ls "$work/textfile")"
echo "ok: $(grep -c '^ringside_' "$work/metrics.prom") samples"
