#!/usr/bin/env bash
# LABELS: slow nosan
# TIMEOUT: 900
# Builds ringside_<version>_amd64.deb with CPack from this build tree, checks its metadata,
# unpacks it in a scratch root (dpkg -x) and runs `ringside --version` and one command of each
# family from there; then, as root, installs it for real (dpkg -i), runs the same from the
# installed paths, removes it (dpkg -r) and checks nothing of it is left.
set -euo pipefail
build=${RINGSIDE_BUILD_DIR:?}
src=${RINGSIDE_SOURCE_DIR:?}
command -v cpack >/dev/null && command -v dpkg-deb >/dev/null || exit 77
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

version=$(sed -n 's/^project(ringside VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$work/out/ringside_${version}_amd64.deb
[[ -f $deb ]] || { echo "no $deb"; ls "$work/out"; exit 1; }

# Metadata: dependencies found by dpkg-shlibdeps on the runtime libraries ringside links.
control=$(dpkg-deb -f "$deb")
echo "$control" | grep -q '^Package: ringside$'
echo "$control" | grep -q "^Version: $version$"
echo "$control" | grep -q '^Architecture: amd64$'
depends=$(dpkg-deb -f "$deb" Depends)
depends_names=$(tr ',' '\n' <<<"$depends" | awk '{ print $1 }')
# The libraries ringside itself needs (DT_NEEDED), located through ldd.
checked_dependencies=0
needed=$(readelf -d "$build/src/cli/ringside" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
for library in $(ldd "$build/src/cli/ringside" | awk -v needed="$needed" 'BEGIN { split(needed, n, "\n"); for (i in n) want[n[i]] = 1 } ($1 in want) && $3 ~ /^\// { print $3 }'); do
  package=$(dpkg -S "$(readlink -f "$library")" 2>/dev/null | head -1 | cut -d: -f1 || true)
  [[ -z $package ]] && package=$(dpkg -S "$library" 2>/dev/null | head -1 | cut -d: -f1 || true)
  [[ -z $package ]] && continue
  grep -qxF "$package" <<<"$depends_names" || { echo "Depends lacks $package (for $library): $depends"; exit 1; }
  checked_dependencies=$((checked_dependencies + 1))
done
((checked_dependencies >= 5)) || { echo "only $checked_dependencies runtime libraries checked against Depends"; exit 1; }
echo "Depends covers the $checked_dependencies libraries ringside links: $depends"

# The files where a system tool's files go.
listing=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for path in ./usr/sbin/ringside ./usr/lib/ringside/libringside_heap.so ./usr/share/man/man1/ringside.1.gz \
  ./usr/share/man/man1/ringside-ring.1.gz ./usr/share/man/man8/ringside-modprobe.8.gz \
  ./usr/share/bash-completion/completions/ringside ./usr/share/zsh/vendor-completions/_ringside; do
  grep -qxF "$path" <<<"$listing" || { echo "package lacks $path"; exit 1; }
done
# Without -DRINGSIDE_KMOD_LINKS=ON the package must not carry kmod's tool names.
if ! grep -q 'RINGSIDE_KMOD_LINKS:BOOL=ON' "$build/CMakeCache.txt"; then
  ! grep -qE '/(lsmod|insmod|rmmod|modinfo|modprobe|depmod)$' <<<"$listing" || { echo "kmod links in the package"; exit 1; }
fi

# A module file with a .modinfo section, for the kmod family (compared with kmod's modinfo).
printf 'license=GPL\0description=packaging test\0author=ringside\0' >"$work/modinfo.bin"
printf 'int x;\n' | gcc -c -x c - -o "$work/plain.o"
objcopy --add-section .modinfo="$work/modinfo.bin" --set-section-flags .modinfo=alloc,readonly "$work/plain.o" "$work/test.ko"

# A family whose tool is still the placeholder of an unfinished build is reported, not failed.
available() {
  if "$1" "$2" --help 2>&1 | grep "not available in this build yet" >/dev/null; then
    echo "$2 is a placeholder in this build: its family is not run"
    return 1
  fi
}

run_families() {  # run_families PREFIX-ROOT (the directory holding usr/)
  local sbin=$1/usr/sbin/ringside ours theirs
  "$sbin" --version | grep "^ringside version $version " >/dev/null
  # kmod family, compared with kmod's modinfo
  if available "$sbin" modinfo; then
    ours=$("$sbin" modinfo -F description "$work/test.ko")
    [[ $ours == "packaging test" ]] || { echo "modinfo from $sbin: '$ours'"; return 1; }
    if theirs=$(PATH=$PATH:/sbin:/usr/sbin modinfo -F author "$work/test.ko" 2>/dev/null); then
      [[ $("$sbin" modinfo -F author "$work/test.ko") == "$theirs" ]] || { echo "modinfo differs from kmod"; return 1; }
    fi
  fi
  # maps family
  if available "$sbin" pmap; then
    "$sbin" pmap -x self | grep 'total kB' >/dev/null
  fi
  # heap family: the preload library must be found from the installed binary
  if available "$sbin" check; then
    "$sbin" check --error-exitcode=99 -- /bin/true >"$work/check.log" 2>&1 || { cat "$work/check.log"; return 1; }
  fi
  # ring family
  "$sbin" ring --json --only hlt | grep '"outcome": "fault"' >/dev/null
  # documentation and completion as installed
  gzip -t "$1/usr/share/man/man1/ringside.1.gz"
  bash -c "source '$1/usr/share/bash-completion/completions/ringside' && complete -p ringside" >/dev/null
}

# 1. Scratch root: dpkg -x.
dpkg-deb -x "$deb" "$work/root"
run_families "$work/root"

# 2. A real installation, where allowed (root, dpkg free, ringside not installed already).
if [[ $(id -u) != 0 ]]; then
  echo "not root: dpkg -i part skipped"
  exit 0
fi
if dpkg-query -W -f='${Status}' ringside 2>/dev/null | grep -q 'install ok installed'; then
  echo "a ringside package is already installed; not touching it"
  exit 0
fi
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
installed=$(dpkg -L ringside)
removed=0
cleanup_package() { ((removed)) || dpkg -r ringside >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup_package EXIT
run_families ""
man -w ringside-ring >/dev/null 2>&1 || [[ -f /usr/share/man/man1/ringside-ring.1.gz ]]
dpkg -r ringside >"$work/dpkg-r.log" 2>&1 || { cat "$work/dpkg-r.log"; exit 1; }
removed=1
dpkg-query -W -f='${Status}' ringside 2>/dev/null | grep -q 'install ok installed' && { echo "still installed"; exit 1; }
while read -r path; do
  [[ -f $path || -L $path ]] && { echo "left behind after dpkg -r: $path"; exit 1; }
done <<<"$installed"
echo "package $deb: built, unpacked, installed, used and removed"
