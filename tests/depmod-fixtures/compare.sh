#!/bin/bash
# Helpers for the depmod tests: run kmod's depmod and ringside's on the same input and compare
# every file kmod writes. Sourced; needs RINGSIDE.
DEPMOD_FILES="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
modules.symbols modules.symbols.bin modules.builtin.bin modules.builtin.alias.bin modules.devname"

# compare_file KMOD_FILE RINGSIDE_FILE NAME: prints "NAME SIZE IDENTICAL" or the first difference.
compare_file() {
    local a=$1 b=$2 name=$3
    if [[ ! -e $a && ! -e $b ]]; then
        printf '  %-28s absent in both\n' "$name"
        return 0
    fi
    if [[ ! -e $b ]]; then
        printf '  %-28s MISSING from ringside\n' "$name"
        return 1
    fi
    if [[ ! -e $a ]]; then
        printf '  %-28s written by ringside only\n' "$name"
        return 1
    fi
    if cmp -s "$a" "$b"; then
        printf '  %-28s %8d bytes IDENTICAL\n' "$name" "$(stat -c %s "$a")"
        return 0
    fi
    if [[ $name == *.bin ]]; then
        printf '  %-28s DIFFERENT: %s\n' "$name" "$(cmp "$a" "$b" 2>&1 | head -1)"
    else
        local line
        line=$(diff <(cat "$a") <(cat "$b") | head -3 | tr '\n' ' ')
        printf '  %-28s DIFFERENT (kmod %d, ringside %d bytes): %s\n' "$name" "$(stat -c %s "$a")" "$(stat -c %s "$b")" "$line"
    fi
    return 1
}

# compare_dirs KMOD_DIR RINGSIDE_DIR: every depmod file; returns non-zero if any differs.
compare_dirs() {
    local bad=0 f
    for f in $DEPMOD_FILES; do
        compare_file "$1/$f" "$2/$f" "$f" || bad=1
    done
    return $bad
}

# run_both ROOT VERSION [OPTIONS...] [-- MODULE_FILES...]: runs kmod then ringside on the same
# tree (ROOT is passed as -b, module files follow the version), keeping kmod's files in ROOT.kmod and its stderr/stdout/status beside them.
# Returns non-zero if any file, stdout, stderr or the exit status differ.
run_both() {
    local root=$1 version=$2
    shift 2
    local dir=$root/lib/modules/$version bad=0 kstatus rstatus
    local -a options=() files=()
    while (($#)) && [[ $1 != -- ]]; do options+=("$1"); shift; done
    (($#)) && shift
    files=("$@")
    rm -rf "$root.kmod" "$root.ringside"
    mkdir -p "$root.kmod" "$root.ringside"
    for f in $DEPMOD_FILES; do rm -f "$dir/$f"; done
    depmod -b "$root" "${options[@]}" "$version" "${files[@]}" >"$root.kmod/stdout" 2>"$root.kmod/stderr"
    kstatus=$?
    # At -vv libkmod adds lines about its own internals (source lines, pointers); not depmod's.
    grep -v '^depmod: [A-Z]*: \.\./libkmod/' "$root.kmod/stderr" > "$root.kmod/stderr.filtered"
    mv "$root.kmod/stderr.filtered" "$root.kmod/stderr"
    for f in $DEPMOD_FILES; do [[ -e $dir/$f ]] && mv "$dir/$f" "$root.kmod/"; done
    "$RINGSIDE" depmod --no-cache -b "$root" "${options[@]}" "$version" "${files[@]}" >"$root.ringside/stdout" 2>"$root.ringside/stderr"
    rstatus=$?
    for f in $DEPMOD_FILES; do [[ -e $dir/$f ]] && mv "$dir/$f" "$root.ringside/"; done
    compare_dirs "$root.kmod" "$root.ringside" || bad=1
    compare_file "$root.kmod/stdout" "$root.ringside/stdout" "(stdout)" || bad=1
    compare_file "$root.kmod/stderr" "$root.ringside/stderr" "(stderr)" || bad=1
    if [[ $kstatus != "$rstatus" ]]; then
        echo "  exit status: kmod $kstatus, ringside $rstatus"
        bad=1
    else
        echo "  exit status $kstatus in both"
    fi
    return $bad
}
