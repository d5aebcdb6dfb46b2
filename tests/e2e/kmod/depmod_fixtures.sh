#!/bin/bash
# LABELS: depmod
# TIMEOUT: 300
# ringside depmod against kmod 30's depmod on small module trees, one per rule: every file,
# stdout, stderr and the exit status must be identical.
set -u
command -v depmod >/dev/null && command -v gcc >/dev/null || { echo "kmod depmod or gcc missing"; exit 77; }
source "$RINGSIDE_SOURCE_DIR/tests/depmod-fixtures/make_module.sh"
source "$RINGSIDE_SOURCE_DIR/tests/depmod-fixtures/compare.sh"
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
echo "work dir $work"
V=6.1.0-fixture
failures=0
scenario() {
    echo "== $1"
    shift
    run_both "$@" || { failures=$((failures + 1)); echo "  ^^^ FAILED"; }
}
noconf=$work/empty.d
mkdir -p "$noconf"

# --- a tree with most of what depmod reads --------------------------------------------
T=$work/basic
D=$T/lib/modules/$V
make_module $D/kernel/drivers/a/mod-a.ko modinfo "alias=pci:v00001234d*sv*sd*bc*sc*i*" modinfo alias=fake-a \
    modinfo "alias=usb:v1D6Bp*d*dc*dsc*dp*ic09isc*ip*in*" modinfo "alias=of:N*T*Cfoo,bar-[ab]" \
    modinfo "softdep=pre: mod_c post: mod_d" modinfo alias=char-major-10-200 modinfo alias=devname:fakea \
    export sym_a 0x11111111 export sym_shared 0x1 version module_layout 0xdeadbeef
make_module $D/kernel/drivers/a/mod_b.ko modinfo alias=fake-b modinfo "alias=bad]bracket" modinfo "alias=open[bracket" \
    need sym_a version sym_a 0x11111111 export sym_b 0x22222222
make_module $D/kernel/lib/mod_c.ko need sym_b need sym_a weak sym_weak_missing need sym_missing export sym_c 0x3
make_module $D/kernel/lib/mod_d.ko modinfo alias=fake-a modinfo alias=devname:nomajor export sym_shared 0x2
make_module $D/kernel/lib/mod_e.ko need sym_shared need sym_c modinfo alias=block-major-8-1 modinfo alias=devname:sdx \
    modinfo alias=devname:sdy
make_module $D/kernel/lib/no_modinfo.ko nomodinfo need sym_b export sym_nomodinfo 0x5
make_module $D/kernel/lib/unlisted.ko need sym_nomodinfo modinfo alias=unlisted
make_module $D/kernel/fs/zz-top.ko need sym_e modinfo alias=fs-zz
make_module $D/kernel/fs/aa.ko export sym_e 0x9 modinfo alias=fs-aa
printf 'garbage that is not ELF at all\n' > $D/kernel/lib/corrupt.ko
printf '\x7fELF' > $D/kernel/lib/tiny.ko
printf 'kernel/lib/mod_c.ko\nkernel/drivers/a/mod-a.ko\nkernel/drivers/a/mod_b.ko\nkernel/lib/mod_d.ko\nkernel/lib/mod_c.ko\nkernel/lib/mod_e.ko\nkernel/lib/no_modinfo.ko\nkernel/lib/corrupt.ko\nkernel/not/there.ko\nkernel/fs/zz-top.ko\n' > $D/modules.order
printf 'kernel/drivers/builtin/bi-one.ko\nkernel/fs/bi_two.ko\n9notaletter.ko\nkernel/x/bi_three.ko\n' > $D/modules.builtin
printf 'bi_one.alias=bi-alias-one\0bi_one.license=GPL\0bi_two.alias=fs-bitwo\0bi_two.alias=bitwo*\0bi_two.parmtype=x:int\0bi_three.alias=bi-alias-one\0bi_one.alias=late[-]one\0' > $D/modules.builtin.modinfo
scenario "basic tree (aliases, softdep, devname, duplicate exports, corrupt modules, order with repeats)" $T $V -C $noconf
scenario "basic tree, -n" $T $V -C $noconf -n
scenario "basic tree, -w (duplicate warnings)" $T $V -C $noconf -w
scenario "basic tree, -v" $T $V -C $noconf -v

# --- -e with -E Module.symvers and -F System.map ---------------------------------------
printf '0x11111111\tsym_a\tvmlinux\tEXPORT_SYMBOL\t\n0xdeadbeef\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n0x0\tsym_missing\tdrivers/x\tEXPORT_SYMBOL\t\n0xzz\tbad_crc\tvmlinux\tEXPORT_SYMBOL\t\n0x5\tsym_weak_missing\tvmlinux\n' > $work/Module.symvers
printf 'ffffffff81000000 T _stext\nffffffff82000000 r __ksymtab_sym_missing\nffffffff82000010 r __ksymtab_module_layout\nbroken-line\n' > $work/System.map
scenario "-e -E Module.symvers (unknown symbols, CRC mismatches)" $T $V -C $noconf -e -E $work/Module.symvers
scenario "-e -F System.map" $T $V -C $noconf -e -F $work/System.map
scenario "-e without -E/-F" $T $V -C $noconf -e
scenario "-P _ (symbol prefix)" $T $V -C $noconf -P _ -e -F $work/System.map

# --- depmod.d: search, override, external, exclude; updates/ and extra/ ---------------
T=$work/conf
D=$T/lib/modules/$V
for where in kernel/drivers updates extra weird; do
    make_module $D/$where/dup.ko modinfo alias=dup-from-${where//\//-} export dup_sym 0x1
done
make_module $D/kernel/drivers/over-me.ko modinfo alias=over-kernel
make_module $D/extra/over-me.ko modinfo alias=over-extra
make_module $D/updates/over-me.ko modinfo alias=over-updates
make_module $D/kernel/lib/user.ko need dup_sym need ext_sym
make_module $D/skipme/hidden.ko modinfo alias=hidden
make_module $D/kernel/skipme/hidden2.ko modinfo alias=hidden2
make_module $D/build/ignored.ko modinfo alias=ignored
make_module $D/source/ignored2.ko modinfo alias=ignored2
make_module $work/external1/ext-mod.ko export ext_sym 0x7 modinfo alias=ext-one
make_module $work/external2/ext-mod.ko export ext_sym 0x8 modinfo alias=ext-two
make_module $work/external2/only-ext2.ko need ext_sym
make_module $work/external-nomatch/never.ko modinfo alias=never
printf 'kernel/drivers/dup.ko\nkernel/lib/user.ko\n' > $D/modules.order
mkdir -p $work/conf.d $work/conf2.d
cat > $work/conf.d/10-search.conf <<CONF
# search order: extra first, then external, then built-in, then updates
search extra external built-in
search updates
override over-me $V extra
override over-me 9\\.9.* updates
external ${V//./\\.} $work/external2
external $V \\
  $work/external1
external 1\\.2\\.3 $work/external-nomatch
external * $work/does-not-exist
exclude skipme
include foo.conf
make_map_files
bogus directive
  # not a comment for kmod
override too few
CONF
printf 'search weird\n' > $work/conf2.d/10-search.conf
printf 'exclude nothing\n' > $work/conf2.d/20-more.conf
printf 'ignored\n' > $work/conf.d/readme.txt
scenario "depmod.d: search, override, external, exclude, include, bad lines" $T $V -C $work/conf.d -C $work/conf2.d
scenario "depmod.d: same, -vv (INFO lines)" $T $V -C $work/conf.d -C $work/conf2.d -vv
scenario "no search directive: updates/ wins" $T $V -C $noconf
printf 'search updates built-in\n' > $work/single.conf
scenario "-C with a single file" $T $V -C $work/single.conf

# --- modules.order missing, and missing builtin files ---------------------------------
T=$work/noorder
D=$T/lib/modules/$V
for i in 1 2 3 4 5 6 7 8 9; do make_module $D/kernel/m$i.ko export s$i 0x$i need s$((i + 1)); done
scenario "no modules.order, no modules.builtin*" $T $V -C $noconf
printf 'kernel/m3.ko\nkernel/m1.ko' > $D/modules.order
scenario "modules.order without a final newline" $T $V -C $noconf
: > $D/modules.builtin
: > $D/modules.builtin.modinfo
scenario "empty modules.builtin and modules.builtin.modinfo" $T $V -C $noconf

# --- dependency cycle --------------------------------------------------------------------
T=$work/cycle
D=$T/lib/modules/$V
make_module $D/kernel/c.ko export sc 1 need sd need sa
make_module $D/kernel/d.ko export sd 1 need se
make_module $D/kernel/e.ko export se 1 need sc
make_module $D/kernel/a.ko export sa 1
make_module $D/kernel/f.ko need sc
make_module $D/kernel/g.ko need sa
scenario "dependency cycle c -> d -> e -> c (reported, nothing written)" $T $V -C $noconf
grep -q 'Cycle detected: c -> d -> e -> c' $T.ringside/stderr || { echo "cycle not named"; failures=$((failures + 1)); }

# --- explicit module files, version checks, -A ------------------------------------------
T=$work/basic
D=$T/lib/modules/$V
scenario "explicit module files" $T $V -C $noconf -- $D/kernel/lib/mod_c.ko $D/kernel/drivers/a/mod_b.ko $D/kernel/drivers/a/mod-a.ko
scenario "explicit relative module file (fatal)" $T $V -C $noconf -- kernel/lib/mod_c.ko
scenario "explicit missing module file (fatal)" $T $V -C $noconf -- $D/kernel/lib/none.ko
scenario "the same module file twice (fatal)" $T $V -C $noconf -- $D/kernel/lib/mod_c.ko $D/kernel/lib/mod_e.ko $D/kernel/lib/mod_c.ko
scenario "bad version operand" $T notaversion
scenario "missing module directory" $T 9.9.9-none
scenario "-A without modules.dep" $T $V -C $noconf -A
scenario "-A -n does nothing" $T $V -C $noconf -A -n
scenario "deprecated options" $T $V -C $noconf -u -q -r -m

echo
if ((failures)); then
    echo "$failures scenario(s) differ from kmod"
    exit 1
fi
echo "all scenarios identical to kmod"
