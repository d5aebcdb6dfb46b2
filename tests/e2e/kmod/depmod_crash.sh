#!/bin/bash
# LABELS: depmod nosan
# TIMEOUT: 300
# Nothing lost: ringside depmod writes every file under a temporary name and renames them only
# when all are complete. (1) On a small tmpfs that fills up midway, depmod must fail and leave
# the previous complete set untouched. (2) Killed with SIGKILL at many points while it writes,
# every file present must be a complete set from one run (kmod's modprobe and ringside's
# reader must accept them) and the next run must clean up and succeed.
set -u
command -v gcc >/dev/null || { echo "gcc missing"; exit 77; }
source "$RINGSIDE_SOURCE_DIR/tests/depmod-fixtures/make_module.sh"
source "$RINGSIDE_SOURCE_DIR/tests/depmod-fixtures/compare.sh"
INDEX_TOOL=$RINGSIDE_BUILD_DIR/tests/depmod-fixtures/depmod_index_tool
work=$(mktemp -d)
mnt=$work/mnt
cleanup() { mountpoint -q "$mnt" && umount "$mnt"; rm -rf "$work"; }
trap cleanup EXIT
V=6.1.0-crash
failures=0

# A tree whose index files are large enough (~1 MB) that a write can be cut in the middle.
build_tree() { # ROOT
    local D=$1/lib/modules/$V i args
    for i in $(seq 1 40); do
        args=()
        for k in $(seq 1 60); do args+=(modinfo "alias=pci:v0000${i}d0000${k}sv*sd*bc*sc*i*-padding-to-make-the-alias-index-bigger-$i-$k"); done
        make_module "$D/kernel/m$i.ko" "${args[@]}" export "sym_$i" "0x$i" need "sym_$((i + 1))"
    done
}

snapshot() { # DIR OUT: checksums of the depmod files
    (cd "$1" && sha256sum $DEPMOD_FILES 2>/dev/null) >"$2"
}

consistent() { # DIR: the files present parse and agree with each other
    local dir=$1 f
    for f in modules.dep.bin modules.alias.bin modules.symbols.bin; do
        "$INDEX_TOOL" dump "$dir/$f" >/dev/null || return 1
    done
    # modules.dep.bin must hold exactly the lines of modules.dep (same run).
    "$INDEX_TOOL" dump "$dir/modules.dep.bin" | cut -f3 | sort >"$work/bin-lines"
    sort "$dir/modules.dep" | cmp -s - "$work/bin-lines" || return 1
    # Every set of one run carries the same marker alias (see below).
    local a s
    a=$(grep -o 'run-[0-9]*' "$dir/modules.alias" | head -1)
    s=$("$INDEX_TOOL" dump "$dir/modules.alias.bin" | grep -o 'run_[0-9]*' | head -1)
    [[ ${a//-/_} == "$s" ]] || return 1
}

echo "== full filesystem"
if mount -t tmpfs -o size=3m tmpfs "$mnt" 2>/dev/null || { mkdir -p "$mnt" && mount -t tmpfs -o size=3m tmpfs "$mnt"; }; then
    build_tree "$mnt/root"
    D=$mnt/root/lib/modules/$V
    "$RINGSIDE" depmod --no-cache -b "$mnt/root" "$V" || { echo "first run failed"; failures=$((failures + 1)); }
    snapshot "$D" "$work/before"
    # Fill the filesystem so that the next set cannot be written completely.
    free_kb=$(df -k --output=avail "$mnt" | tail -1)
    dd if=/dev/zero of="$mnt/filler" bs=1k count=$((free_kb - 100)) status=none 2>/dev/null
    make_module "$D/kernel/new-one.ko" modinfo alias=brand-new
    if "$RINGSIDE" depmod --no-cache -b "$mnt/root" "$V" 2>"$work/full.err"; then
        echo "  depmod succeeded on a full filesystem?"; failures=$((failures + 1))
    else
        echo "  depmod failed as it should: $(grep -m1 FATAL "$work/full.err")"
    fi
    snapshot "$D" "$work/after"
    if cmp -s "$work/before" "$work/after"; then echo "  previous set intact (10 files unchanged)"; else echo "  previous set CHANGED"; failures=$((failures + 1)); fi
    leftovers=$(find "$D" -maxdepth 1 -name '*ringside-tmp*' | wc -l)
    [[ $leftovers == 0 ]] && echo "  no temporary files left" || { echo "  $leftovers temporary files left"; failures=$((failures + 1)); }
    rm -f "$mnt/filler"
    "$RINGSIDE" depmod --no-cache -b "$mnt/root" "$V" && grep -q brand-new "$D/modules.alias" && echo "  with space again: new set written" || failures=$((failures + 1))
    umount "$mnt"
else
    echo "  cannot mount a tmpfs here (not root?): skipped this part"
fi

echo "== SIGKILL at many points"
T=$work/kill
build_tree "$T"
D=$T/lib/modules/$V
make_module "$D/kernel/marker.ko" modinfo alias=run-0
"$RINGSIDE" depmod --no-cache -b "$T" "$V"
kills=0 bad=0 interrupted=0
for delay in 0.001 0.003 0.005 0.008 0.01 0.015 0.02 0.03 0.04 0.05 0.07 0.1 0.13 0.17 0.2; do
    for round in 1 2; do
        kills=$((kills + 1))
        make_module "$D/kernel/marker.ko" modinfo "alias=run-$kills"
        "$RINGSIDE" depmod --no-cache -b "$T" "$V" 2>/dev/null &
        pid=$!
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        if [[ -e $D/.ringside-depmod-commit ]]; then
            # Killed during the renames: every file must still be whole, and the next run
            # must finish the interrupted commit first.
            interrupted=$((interrupted + 1))
            for f in modules.dep.bin modules.alias.bin modules.symbols.bin; do
                "$INDEX_TOOL" dump "$D/$f" >/dev/null || { bad=$((bad + 1)); echo "  broken $f after kill at ${delay}s"; }
            done
            "$RINGSIDE" depmod --no-cache -b "$T" "$V" 2>/dev/null
        fi
        consistent "$D" || { bad=$((bad + 1)); echo "  inconsistent set after kill at ${delay}s"; }
    done
done
echo "  $kills kills: $((kills - bad)) left a complete, consistent set ($interrupted interrupted during the renames, finished by the next run)"
((bad)) && failures=$((failures + 1))
"$RINGSIDE" depmod --no-cache -b "$T" "$V" && consistent "$D" && [[ $(find "$D" -maxdepth 1 -name '*ringside-tmp*' | wc -l) == 0 ]] \
    && echo "  next run: consistent, temporaries of killed runs removed" || { echo "  next run failed"; failures=$((failures + 1)); }

echo "== corrupt cache is ignored"
cache=$work/cache
"$RINGSIDE" depmod --cache "$cache" -b "$T" "$V"
snapshot "$D" "$work/good"
printf 'RSDEPMC1garbage' >"$cache"
"$RINGSIDE" depmod --cache "$cache" -b "$T" "$V" && snapshot "$D" "$work/c1" && cmp -s "$work/good" "$work/c1" && echo "  garbage cache: same output" || failures=$((failures + 1))
"$RINGSIDE" depmod --cache "$cache" -b "$T" "$V" >/dev/null
dd if=/dev/urandom of="$cache" bs=1 count=16 seek=100 conv=notrunc status=none
"$RINGSIDE" depmod --cache "$cache" -b "$T" "$V" && snapshot "$D" "$work/c2" && cmp -s "$work/good" "$work/c2" && echo "  damaged cache: same output" || failures=$((failures + 1))

echo
((failures)) && { echo "$failures check(s) failed"; exit 1; }
echo "nothing lost"
