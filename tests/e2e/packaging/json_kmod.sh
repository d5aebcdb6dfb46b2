#!/usr/bin/env bash
# LABELS: corpus
# modinfo --json and lsmod --json validate against docs/json-schema/{modinfo,lsmod}.json
# (json_validate.py also checks that the schemas reject documents that break docs/json.md).
# modinfo: modules of the Debian corpus in a scratch tree indexed by `ringside depmod` (plain,
# xz, zstd, gzip, a built-in one, one with its signature stripped, and broken files that give
# an "error"). lsmod: the running kernel when it has /proc/modules, and a fake /proc/modules
# and /sys/module in a private mount namespace (as root), so the non-empty form is checked
# even on a kernel without modules.
set -uo pipefail
: "${RINGSIDE:?}" "${RINGSIDE_SOURCE_DIR:?}"
python3 -c 'import jsonschema, referencing' 2>/dev/null || { echo "SKIP: python3-jsonschema missing (scripts/setup.sh installs it)"; exit 77; }
schemas=$RINGSIDE_SOURCE_DIR/docs/json-schema
validate() { python3 "$RINGSIDE_SOURCE_DIR/tests/e2e/packaging/json_validate.py" "$schemas" "$@"; }
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
checked=0

corpus=$RINGSIDE_SOURCE_DIR/corpus
if [[ -f $corpus/COMPLETE ]]; then
  release=$(cat "$corpus/VERSION")
  modules=$work/root/lib/modules/$release
  mkdir -p "$modules/kernel"
  cp "$corpus/plain/lib/modules/$release"/modules.{builtin,builtin.modinfo,order} "$modules/"
  cp "$corpus/plain/lib/modules/$release/kernel/drivers/net/ethernet/intel/e1000/e1000.ko" "$modules/kernel/"
  cp "$corpus/xz/lib/modules/$release/kernel/fs/ext4/ext4.ko.xz" "$corpus/xz/lib/modules/$release/kernel/fs/jbd2/jbd2.ko.xz" "$modules/kernel/"
  cp "$corpus/zst/lib/modules/$release/kernel/fs/mbcache.ko.zst" "$modules/kernel/"
  cp "$corpus/gz/lib/modules/$release/kernel/lib/crc16.ko.gz" "$modules/kernel/"
  # An unsigned copy: drop the appended PKCS#7 signature and its trailer.
  python3 - "$corpus/plain/lib/modules/$release/kernel/fs/fat/vfat.ko" "$modules/kernel/vfat.ko" <<'PY' || fail "could not strip the signature"
import sys
data = open(sys.argv[1], "rb").read()
magic = b"~Module signature appended~\n"
assert data.endswith(magic)
signature_length = int.from_bytes(data[-len(magic) - 4:-len(magic)], "big")
open(sys.argv[2], "wb").write(data[:-len(magic) - 12 - signature_length])
PY
  "$RINGSIDE" depmod -b "$work/root" "$release" || fail "ringside depmod on the scratch tree"
  builtin=$(sed -n '1{s|.*/||;s|\.ko$||;p}' "$modules/modules.builtin")
  "$RINGSIDE" modinfo --json -b "$work/root" -k "$release" e1000 ext4 jbd2 mbcache crc16 vfat "$builtin" > "$work/modinfo-names.json" \
    || fail "modinfo --json by name"
  "$RINGSIDE" modinfo --json "$modules"/kernel/*.ko* > "$work/modinfo-paths.json" || fail "modinfo --json by path"
  head -c 3000 "$modules/kernel/e1000.ko" > "$work/truncated.ko"
  : > "$work/empty.ko"
  "$RINGSIDE" modinfo --json "$work/truncated.ko" "$work/empty.ko" "$modules/kernel/crc16.ko.gz" > "$work/modinfo-broken.json" 2> /dev/null \
    && fail "modinfo --json on broken modules exited 0"
  validate modinfo "$work"/modinfo-*.json || fail "modinfo --json does not match modinfo.json"
  python3 - "$work" <<'PY' || fail "modinfo documents lack the expected shapes"
import json, sys
names = json.load(open(f"{sys.argv[1]}/modinfo-names.json"))["modules"]
assert [m["compression"] for m in names[:5]] == ["none", "xz", "xz", "zstd", "gzip"], names
assert names[5]["signature"] is None and names[0]["signature"] is not None
assert names[6]["builtin"] and names[6]["compression"] is None
assert all(m["error"] is None for m in names)
broken = json.load(open(f"{sys.argv[1]}/modinfo-broken.json"))["modules"]
assert [m["error"] is not None for m in broken] == [True, True, False], broken
print("modinfo documents:", len(names), "by name,", len(broken), "with errors")
PY
  checked=$((checked + 1))
else
  echo "note: no corpus at $corpus (scripts/fetch-corpus.sh); modinfo --json not checked"
fi

if [[ -r /proc/modules ]]; then
  "$RINGSIDE" lsmod --json > "$work/lsmod-running.json" || fail "lsmod --json on the running kernel"
  validate lsmod "$work/lsmod-running.json" || fail "lsmod --json does not match lsmod.json"
  checked=$((checked + 1))
else
  echo "note: this kernel has no /proc/modules (no module support); lsmod --json checked on the fake tree only"
fi

# The fake tree: four modules as the kernel shows them (refcnt, coresize, holders), two held by
# ext4; ext4's coresize differs from its /proc/modules size, and lsmod takes coresize.
fake=$work/fake
mkdir -p "$fake/proc" "$fake/sys/ext4/holders" "$fake/sys/mbcache/holders" "$fake/sys/jbd2/holders" "$fake/sys/crc16/holders"
printf '%s\n' "ext4 983040 1 - Live 0x0000000000000000" "mbcache 16384 1 ext4, Live 0x0000000000000000" \
  "jbd2 167936 1 ext4, Live 0x0000000000000000" "crc16 12288 0 - Live 0x0000000000000000" > "$fake/proc/modules"
echo 2 > "$fake/sys/ext4/refcnt"; echo 1 > "$fake/sys/mbcache/refcnt"; echo 1 > "$fake/sys/jbd2/refcnt"
echo 0 > "$fake/sys/crc16/refcnt"
echo 1007616 > "$fake/sys/ext4/coresize"; echo 16384 > "$fake/sys/mbcache/coresize"
echo 167936 > "$fake/sys/jbd2/coresize"; echo 12288 > "$fake/sys/crc16/coresize"
ln -s ../../ext4 "$fake/sys/mbcache/holders/ext4"; ln -s ../../ext4 "$fake/sys/jbd2/holders/ext4"
if [[ $(id -u) == 0 ]] && command -v unshare >/dev/null \
   && unshare -m --propagation private true 2>/dev/null; then
  # /proc/modules may not exist to bind over, so a tmpfs replaces /proc inside the namespace.
  # The sanitizer runtime reads /proc/self and /proc/PID (its environment, LeakSanitizer's
  # thread list), so those stay links into a real procfs mounted beside it; `exec` keeps the
  # shell's PID for ringside.
  unshare -m --propagation private bash -c '
    set -e
    mkdir "$3/realproc"
    mount -t proc proc "$3/realproc"
    mount -t tmpfs fake-proc /proc
    cp "$1/proc/modules" /proc/modules
    ln -s "$3/realproc/self" /proc/self
    mount --bind "$1/sys" /sys/module
    run() { local real=$1; shift; bash -c "ln -s $real/\$\$ /proc/\$\$; exec \"\$@\"" fake "$@"; }
    run "$3/realproc" "$2" lsmod --json > "$3/lsmod-fake.json"
    run "$3/realproc" "$2" lsmod > "$3/lsmod-fake.txt"
    if command -v kmod >/dev/null; then kmod list > "$3/lsmod-kmod.txt"; fi
  ' fake "$fake" "$RINGSIDE" "$work" || fail "lsmod --json on the fake tree"
  validate lsmod "$work/lsmod-fake.json" || fail "lsmod --json (fake tree) does not match lsmod.json"
  python3 - "$work/lsmod-fake.json" <<'PY' || fail "lsmod --json does not hold the fake tree"
import json, sys
modules = json.load(open(sys.argv[1]))["modules"]
assert [(m["name"], m["size"], m["use_count"], m["used_by"]) for m in modules] == [
    ("ext4", 1007616, 2, []), ("mbcache", 16384, 1, ["ext4"]), ("jbd2", 167936, 1, ["ext4"]), ("crc16", 12288, 0, [])], modules
print("lsmod fake tree:", len(modules), "modules")
PY
  if [[ -f $work/lsmod-kmod.txt ]]; then
    cmp -s "$work/lsmod-kmod.txt" "$work/lsmod-fake.txt" || { diff "$work/lsmod-kmod.txt" "$work/lsmod-fake.txt"; fail "lsmod text differs from kmod's on the fake tree"; }
  fi
  checked=$((checked + 1))
else
  echo "note: not root or no mount namespaces; lsmod --json fake tree not checked"
fi

[[ $checked -gt 0 ]] || { echo "SKIP: neither the corpus, /proc/modules nor a mount namespace available"; exit 77; }
echo "ok"
