#!/usr/bin/env bash
# `ringside install --prefix DIR` installs the same files as `cmake --install --prefix DIR`,
# the kmod symlinks only with --kmod-links, never over a file that is not its own link,
# and --dry-run changes nothing.
set -euo pipefail
build=${RINGSIDE_BUILD_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/cmake" >/dev/null
"$RINGSIDE" install --prefix "$work/ours" >"$work/printed"

list() { (cd "$1" && find . \( -type f -o -type l \) | sort); }
if ! diff <(list "$work/cmake") <(list "$work/ours"); then
  echo "ringside install and cmake --install differ (< cmake, > ringside)"; exit 1
fi
# Same content, and the binary is executable.
while read -r path; do
  cmp -s "$work/cmake/$path" "$work/ours/$path" || [[ $path == ./sbin/ringside ]] || { echo "$path differs"; exit 1; }
done < <(list "$work/cmake")
[[ -x $work/ours/sbin/ringside ]]
"$work/ours/sbin/ringside" --version | grep '^ringside version' >/dev/null
# One printed line per installed file.
[[ $(wc -l <"$work/printed") == $(list "$work/ours" | wc -l) ]]
# No kmod names unless asked.
for tool in lsmod insmod rmmod modinfo modprobe depmod; do
  [[ ! -e $work/ours/sbin/$tool ]] || { echo "$tool installed without --kmod-links"; exit 1; }
done

"$RINGSIDE" install --prefix "$work/ours" --kmod-links >/dev/null
for tool in lsmod insmod rmmod modinfo modprobe depmod; do
  [[ $(readlink "$work/ours/sbin/$tool") == ringside ]] || { echo "$tool is not a link to ringside"; exit 1; }
done
# The link dispatches to the tool.
"$work/ours/sbin/modinfo" --help | grep -- '--field' >/dev/null
# Again: idempotent.
"$RINGSIDE" install --prefix "$work/ours" --kmod-links >/dev/null

# A foreign lsmod is never replaced.
mkdir -p "$work/foreign/sbin"
echo 'kmod' >"$work/foreign/sbin/lsmod"
if "$RINGSIDE" install --prefix "$work/foreign" --kmod-links 2>"$work/err"; then
  echo "replaced a foreign lsmod"; exit 1
fi
grep -q "refusing to replace" "$work/err"
[[ $(cat "$work/foreign/sbin/lsmod") == kmod ]]
[[ ! -e $work/foreign/sbin/ringside ]] || { echo "wrote files before refusing"; exit 1; }

# --dry-run prints and writes nothing; missing --prefix is an error.
"$RINGSIDE" install --prefix "$work/dry" --kmod-links --dry-run | grep "would link .*/sbin/lsmod -> ringside" >/dev/null
[[ ! -e $work/dry ]]
if "$RINGSIDE" install 2>/dev/null; then echo "install without --prefix succeeded"; exit 1; fi
