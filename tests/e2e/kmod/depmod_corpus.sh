#!/bin/bash
# LABELS: corpus slow depmod
# TIMEOUT: 900
# ringside depmod against kmod 30 on Debian's real module tree: the plain, .ko.xz and .ko.zst
# copies must give byte-identical files (with and without ringside's cache). Debian's kmod 30
# ignores .ko.gz, so ringside's output for the .gz copy is compared with kmod's for the plain
# copy, with ".ko.gz" read as ".ko". Then the cross-reading: kmod's modprobe with ringside's
# indexes, and ringside's index reader on kmod's indexes.
set -u
corpus=$RINGSIDE_SOURCE_DIR/corpus
[[ -f $corpus/VERSION ]] || { echo "corpus not fetched (scripts/fetch-corpus.sh)"; exit 77; }
command -v depmod >/dev/null || { echo "kmod depmod missing"; exit 77; }
V=$(cat "$corpus/VERSION")
source "$RINGSIDE_SOURCE_DIR/tests/depmod-fixtures/compare.sh"
INDEX_TOOL=$RINGSIDE_BUILD_DIR/tests/depmod-fixtures/depmod_index_tool
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# A copy made of hard links: both tools replace files by renaming, so the corpus is safe.
copy_tree() { # FLAVOUR DEST
    mkdir -p "$2/lib/modules"
    cp -al "$corpus/$1/lib/modules/$V" "$2/lib/modules/"
    rm -f "$2/lib/modules/$V"/modules.{dep,alias,symbols,softdep,devname}{,.bin} "$2/lib/modules/$V"/modules.builtin{,.alias}.bin
}

for flavour in plain xz zst; do
    echo "== $flavour tree"
    copy_tree $flavour "$work/k-$flavour"
    copy_tree $flavour "$work/r-$flavour"
    depmod -b "$work/k-$flavour" "$V" 2>"$work/k-$flavour.stderr" || { echo "kmod failed"; failures=$((failures + 1)); }
    "$RINGSIDE" depmod --no-cache -b "$work/r-$flavour" "$V" 2>"$work/r-$flavour.stderr" || failures=$((failures + 1))
    compare_dirs "$work/k-$flavour/lib/modules/$V" "$work/r-$flavour/lib/modules/$V" || failures=$((failures + 1))
    compare_file "$work/k-$flavour.stderr" "$work/r-$flavour.stderr" "(stderr)" || failures=$((failures + 1))
    if [[ $flavour == plain ]]; then
        echo "== plain tree with ringside's cache (cold, then warm after touching one module)"
        cache=$work/cache
        for run in cold warm; do
            [[ $run == warm ]] && touch "$(find "$work/r-plain/lib/modules/$V/kernel" -name '*.ko' | head -1)"
            rm -rf "$work/c-out" && mkdir "$work/c-out"
            "$RINGSIDE" depmod --cache "$cache" -b "$work/r-plain" "$V" 2>/dev/null || failures=$((failures + 1))
            compare_dirs "$work/k-plain/lib/modules/$V" "$work/r-plain/lib/modules/$V" >"$work/c-out/log" \
                && echo "  $run cache: all 10 files IDENTICAL" || { cat "$work/c-out/log"; failures=$((failures + 1)); }
        done
    fi
done

echo "== gz tree (ringside) against the plain tree (kmod), .ko.gz read as .ko"
copy_tree gz "$work/r-gz"
"$RINGSIDE" depmod --no-cache -b "$work/r-gz" "$V" 2>/dev/null || failures=$((failures + 1))
mkdir -p "$work/gz-norm" "$work/plain-norm"
for f in $DEPMOD_FILES; do
    if [[ $f == *.bin ]]; then
        "$INDEX_TOOL" dump "$work/r-gz/lib/modules/$V/$f" | sed 's/\.ko\.gz\b/.ko/g' >"$work/gz-norm/$f" 2>/dev/null
        "$INDEX_TOOL" dump "$work/k-plain/lib/modules/$V/$f" >"$work/plain-norm/$f" 2>/dev/null
    else
        sed 's/\.ko\.gz\b/.ko/g' "$work/r-gz/lib/modules/$V/$f" >"$work/gz-norm/$f"
        cp "$work/k-plain/lib/modules/$V/$f" "$work/plain-norm/$f"
    fi
done
compare_dirs "$work/plain-norm" "$work/gz-norm" || failures=$((failures + 1))

echo "== cross-reading: kmod's modprobe --show-depends with ringside's indexes vs kmod's"
names=$work/names
sed 's/:.*//; s#.*/##; s/\..*//; s/-/_/g' "$work/k-plain/lib/modules/$V/modules.dep" >"$names"
show_all() { # ROOT: every module at once (-a), in chunks
    xargs -n 400 modprobe -d "$1" -S "$V" --show-depends -a <"$names" 2>&1
}
show_all "$work/k-plain" >"$work/show-kmod"
show_all "$work/r-plain" | sed "s#$work/r-plain#$work/k-plain#g" >"$work/show-ringside"
if cmp -s "$work/show-kmod" "$work/show-ringside"; then
    echo "  $(wc -l <"$names") modules: --show-depends output IDENTICAL ($(wc -l <"$work/show-kmod") lines)"
else
    echo "  --show-depends DIFFERENT:"; diff "$work/show-kmod" "$work/show-ringside" | head -5
    failures=$((failures + 1))
fi

echo "== cross-reading: ringside's index reader on kmod's files"
K=$work/k-plain/lib/modules/$V
# modules.dep.bin: every module name gives its modules.dep line.
paste -d '\t' "$names" <(cut -d: -f1- "$K/modules.dep") | cut -f1 | "$INDEX_TOOL" exact "$K/modules.dep.bin" >"$work/exact"
if cmp -s "$work/exact" "$K/modules.dep"; then echo "  modules.dep.bin: $(wc -l <"$names") exact lookups IDENTICAL to modules.dep"; else echo "  modules.dep.bin lookups DIFFERENT"; failures=$((failures + 1)); fi
# modules.symbols.bin: every symbol gives its owner.
grep '^alias ' "$K/modules.symbols" | cut -d' ' -f2 | "$INDEX_TOOL" wild "$K/modules.symbols.bin" | awk -F'\t' '{print "alias " $1 " " $2}' >"$work/syms"
if cmp -s "$work/syms" <(grep '^alias ' "$K/modules.symbols"); then echo "  modules.symbols.bin: $(wc -l <"$work/syms") wildcard lookups IDENTICAL to modules.symbols"; else echo "  modules.symbols.bin lookups DIFFERENT"; failures=$((failures + 1)); fi
# modules.alias.bin: a sample of concrete device strings resolved by kmod's modprobe -R and by the reader.
queries=$work/queries
grep '^alias ' "$K/modules.alias" | awk 'NR % 97 == 1 {print $2}' | sed 's/\*/X/g; s/\[[^]]*\]/0/g; s/?/0/g; s/-/_/g' | sort -u >"$queries"
while read -r q; do printf '%s\t%s\n' "$q" "$(modprobe -d "$work/k-plain" -S "$V" -R "$q" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"; done <"$queries" >"$work/alias-kmod"
"$INDEX_TOOL" wild "$K/modules.alias.bin" <"$queries" >"$work/alias-ringside"
if cmp -s "$work/alias-kmod" "$work/alias-ringside"; then
    echo "  modules.alias.bin: $(wc -l <"$queries") wildcard lookups IDENTICAL to kmod's modprobe -R"
else
    echo "  modules.alias.bin lookups DIFFERENT:"; diff "$work/alias-kmod" "$work/alias-ringside" | head -5
    failures=$((failures + 1))
fi

echo
if ((failures)); then
    echo "$failures comparison(s) failed"
    exit 1
fi
echo "all comparisons IDENTICAL"
