#!/bin/bash
# LABELS: depmod
# TIMEOUT: 300
# ringside depmod with its cache, run after each kind of change to a tree: every time, its
# files, stderr and exit status must equal kmod 30's on a copy of the same tree. A rerun whose
# inputs did not change keeps the files (same inode, fresh mtime) and repeats the warnings;
# any real change (module contents, modules.order, a module added or removed, an output
# file replaced or deleted, a corrupt cache) must produce kmod's files again.
set -u
command -v depmod >/dev/null && command -v gcc >/dev/null || { echo "kmod depmod or gcc missing"; exit 77; }
source "$RINGSIDE_SOURCE_DIR/tests/depmod-fixtures/make_module.sh"
source "$RINGSIDE_SOURCE_DIR/tests/depmod-fixtures/compare.sh"
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
V=6.1.0-cache
T=$work/tree
D=$T/lib/modules/$V
cache=$work/cache
noconf=$work/empty.d
mkdir -p "$noconf"
failures=0

make_module $D/kernel/a/mod_a.ko modinfo alias=fake-a modinfo "softdep=pre: mod_c" export sym_a 0x11 \
    version module_layout 0xdeadbeef
make_module $D/kernel/a/mod_b.ko need sym_a need sym_unknown modinfo alias=fake-b export sym_b 0x22
make_module $D/kernel/c/mod_c.ko need sym_b modinfo alias=devname:fakec modinfo alias=char-major-10-77
printf 'kernel/a/mod_b.ko\nkernel/a/mod_a.ko\n' >$D/modules.order
printf '0x11\tsym_a\tvmlinux\tEXPORT_SYMBOL\t\n0x1\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n' >$work/Module.symvers
options=(-C "$noconf" -e -E "$work/Module.symvers")

# check NAME EXPECT: runs ringside (with the cache) in the tree and kmod on a copy of it, then
# compares; EXPECT is "kept" (files must keep their inodes) or "written" (new inodes).
check() {
    local name=$1 expect=$2 bad=0 before after
    echo "== $name"
    before=$(stat -c %i "$D/modules.dep" 2>/dev/null || echo none)
    sleep 0.01
    local stamp=$work/stamp
    touch "$stamp"
    "$RINGSIDE" depmod --cache "$cache" -b "$T" "${options[@]}" "$V" >"$work/r.out" 2>"$work/r.err"
    local rstatus=$?
    after=$(stat -c %i "$D/modules.dep" 2>/dev/null || echo none)
    rm -rf "$work/copy" "$work/k" "$work/r"
    mkdir -p "$work/k" "$work/r"
    cp -a "$T" "$work/copy"
    for f in $DEPMOD_FILES; do
        [[ -e $D/$f ]] && cp -a "$D/$f" "$work/r/"
        rm -f "$work/copy/lib/modules/$V/$f"
    done
    depmod -b "$work/copy" "${options[@]}" "$V" >"$work/k.out" 2>"$work/k.err"
    local kstatus=$?
    # kmod ran in the copy: its messages name the copy's paths.
    sed -i "s#$work/copy#$T#g" "$work/k.err"
    for f in $DEPMOD_FILES; do [[ -e $work/copy/lib/modules/$V/$f ]] && cp "$work/copy/lib/modules/$V/$f" "$work/k/"; done
    compare_dirs "$work/k" "$work/r" >"$work/compare" || bad=1
    grep -q IDENTICAL "$work/compare" || bad=1
    compare_file "$work/k.err" "$work/r.err" "(stderr)" >>"$work/compare" || bad=1
    [[ $kstatus == "$rstatus" ]] || { echo "  exit status: kmod $kstatus, ringside $rstatus"; bad=1; }
    [[ $D/modules.dep -nt $stamp ]] || { echo "  modules.dep was not renewed"; bad=1; }
    if [[ $expect == kept && $before != "$after" ]]; then
        echo "  expected the files to be kept, but they were rewritten"
        bad=1
    elif [[ $expect == written && $before == "$after" ]]; then
        echo "  expected the files to be rewritten, but they were kept"
        bad=1
    fi
    if ((bad)); then
        cat "$work/compare"
        failures=$((failures + 1))
        echo "  ^^^ FAILED"
    else
        echo "  all files, stderr and status as kmod's; files $expect"
    fi
}

check "first run (no cache yet)" written
[[ -s $work/r.err ]] || { echo "  the fixture should make depmod warn (unknown symbol)"; failures=$((failures + 1)); }
check "nothing changed" kept
touch "$D/kernel/a/mod_b.ko"
check "one module touched, same contents" kept
make_module $D/kernel/a/mod_b.ko need sym_a modinfo alias=fake-b modinfo alias=fake-b-new export sym_b 0x22
check "one module rebuilt with other contents" written
grep -q fake-b-new "$D/modules.alias" || { echo "  new alias missing"; failures=$((failures + 1)); }
printf 'kernel/a/mod_a.ko\nkernel/c/mod_c.ko\nkernel/a/mod_b.ko\n' >$D/modules.order
check "modules.order changed" written
make_module $D/kernel/d/mod_d.ko need sym_c modinfo alias=fake-d
check "a module added" written
rm "$D/kernel/d/mod_d.ko"
check "a module removed" written
rm "$D/modules.alias"
check "an output file deleted" written
depmod -b "$T" "${options[@]}" "$V" 2>/dev/null
check "kmod's depmod wrote the files in between" written
check "nothing changed again" kept
printf 'RSDEPMC2 not a cache' >"$cache"
check "corrupt cache" written
head -c 100 /dev/urandom >"$cache"
check "random bytes as cache" written
check "and once more unchanged" kept

echo
if ((failures)); then
    echo "$failures scenario(s) FAILED"
    exit 1
fi
echo "every scenario matches kmod"
