#!/usr/bin/env bash
# Drives the bash completion function the way bash does (COMP_WORDS, COMP_CWORD) and checks
# its answers: tools, options (every option of each tool's --help is offered), module names
# from a module tree's modules.dep and modules.builtin, PIDs, probe names. Also checks the zsh
# completion parses.
set -euo pipefail
src=${RINGSIDE_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=/dev/null
source "$src/completions/ringside.bash"
complete -p ringside | grep -- '-F _ringside ringside' >/dev/null

fail=0
# complete WORD... : the last word is the one being completed.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _ringside
  printf '%s\n' "${COMPREPLY[@]}"
}
expect() {  # expect "description" "needle" WORDS...
  local what=$1 needle=$2
  shift 2
  local offered
  offered=$(complete_words "$@")  # captured first: grep -q would close the pipe early
  if ! grep -qxF -- "$needle" <<<"$offered"; then
    echo "FAIL: $what: '$needle' not offered for: $*"
    sed -n '1,5s/^/  got: /p' <<<"$offered"
    fail=1
  fi
}
refuse() {  # refuse "description" "needle" WORDS...
  local what=$1 needle=$2
  shift 2
  local offered
  offered=$(complete_words "$@")
  if grep -qxF -- "$needle" <<<"$offered"; then
    echo "FAIL: $what: '$needle' offered for: $*"
    fail=1
  fi
}

# Tools: every tool `ringside --help` lists is completed, and only tools matching the prefix.
while read -r tool; do
  expect "tool list" "$tool" "$RINGSIDE" "${tool:0:2}"
done < <("$RINGSIDE" --help | awk '/^Tools:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
expect "tools" modinfo "$RINGSIDE" mo
refuse "tools" pmap "$RINGSIDE" mo
expect "top-level option" --version "$RINGSIDE" --v

# Options: each option in a tool's --help is offered after "-" (placeholders skipped).
while read -r tool; do
  help=$("$RINGSIDE" "$tool" --help 2>&1 || true)
  grep -q "not available in this build yet" <<<"$help" && continue
  offered=$(complete_words "$RINGSIDE" "$tool" -)
  help=$(sed -e 's/`[^`]*`//g' -e 's/\$([^)]*)//g' <<<"$help")  # `cmake --install`, $(uname -r): commands, not options
  for flag in $(grep -oE '(^|[[:space:],\[|])--?[A-Za-z0-9][A-Za-z0-9-]*' <<<"$help" | sed 's/^[^-]*//' | sort -u); do
    grep -qxE -- "$flag=?" <<<"$offered" || { echo "FAIL: $tool: $flag from --help is not completed"; fail=1; }
  done
done < <("$RINGSIDE" --help | awk '/^Tools:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
expect "modinfo option" --field "$RINGSIDE" modinfo --fi
refuse "option of another tool" --show-depends "$RINGSIDE" modinfo --sh

# Module names from a module tree given with -b/-k (modinfo) and -d/-S (modprobe).
tree=$work/lib/modules/9.9.9-test
mkdir -p "$tree/kernel/fs"
printf '%s\n' "kernel/fs/ext4/ext4.ko.zst: kernel/fs/jbd2/jbd2.ko.zst kernel/lib/crc16.ko" \
  "kernel/fs/jbd2/jbd2.ko.zst:" "kernel/lib/crc16.ko:" "kernel/drivers/crypto/crc32c-intel.ko.xz:" >"$tree/modules.dep"
printf '%s\n' "kernel/fs/exfat/exfat.ko" >"$tree/modules.builtin"
expect "modinfo module from modules.dep" ext4 "$RINGSIDE" modinfo -b "$work" -k 9.9.9-test ex
expect "modinfo built-in module" exfat "$RINGSIDE" modinfo -b "$work" -k 9.9.9-test ex
expect "module names use underscores" crc32c_intel "$RINGSIDE" modinfo --basedir="$work" --set-version=9.9.9-test crc32
refuse "prefix filter" jbd2 "$RINGSIDE" modinfo -b "$work" -k 9.9.9-test ex
expect "modprobe -d/-S" jbd2 "$RINGSIDE" modprobe -d "$work" -S 9.9.9-test -v jb
expect "depmod --index-layout values" --index-layout=kmod34 "$RINGSIDE" depmod --index-layout=kmod3
expect "directory for -b" "$work/lib" "$RINGSIDE" modinfo -b "$work/l"

# Against the Debian corpus too, when it is there: a real module tree.
release=$(cat "$src/corpus/VERSION" 2>/dev/null || true)
if [[ -n $release && -r $src/corpus/plain/lib/modules/$release/modules.dep ]]; then
  expect "corpus module" ext4 "$RINGSIDE" modinfo -b "$src/corpus/plain" -k "$release" ext
fi

# PIDs for the memory tools, "self" too.
expect "pmap PID" "$$" "$RINGSIDE" pmap "$$"
expect "mem self" self "$RINGSIDE" mem se
expect "leaks PID" 1 "$RINGSIDE" leaks 1

# Loaded modules for rmmod, when the kernel has modules.
if [[ -s /proc/modules ]]; then
  first=$(cut -d' ' -f1 /proc/modules | head -1)
  expect "rmmod loaded module" "$first" "$RINGSIDE" rmmod "${first:0:2}"
fi

# Probe names for ring --only, after a comma too.
expect "ring probe" hlt "$RINGSIDE" ring --only hl
expect "ring probe list" hlt,cpuid "$RINGSIDE" ring --only hlt,cp

# The program after `check --`.
expect "check program" bash "$RINGSIDE" check -- bas

# Through a symlink named like the tool.
ln -s "$RINGSIDE" "$work/modinfo"
expect "symlink invocation" --author "$work/modinfo" --au

if command -v zsh >/dev/null; then
  zsh -n "$src/completions/_ringside" || { echo "FAIL: zsh completion does not parse"; fail=1; }
fi
exit $fail
