#!/usr/bin/env bash
# Fetches Debian's kernel headers for the corpus kernel (corpus/VERSION) so that out-of-tree
# modules can be built against it without installing anything system-wide:
#   linux-headers-<ver>, linux-headers-<ver>-common, linux-kbuild-<major.minor>
# are downloaded with apt-get download and unpacked with dpkg -x into cache/headers/<ver>/
# (git-ignored). Prints the build directory to pass to `make -C`.
#
# The headers' Makefile is one line that includes the -common package's Makefile by an
# absolute /usr/src path, which only works when the package is installed; in our unpacked
# copy that line is pointed at the unpacked -common tree instead.
# Idempotent: does nothing when the headers for <ver> are already complete.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
release=${1:-$(cat corpus/VERSION 2>/dev/null || true)}
[[ -n "$release" ]] || { echo "fetch-headers: no corpus/VERSION; run scripts/fetch-corpus.sh first" >&2; exit 1; }
flavour=${release##*-}                  # amd64
abi=${release%-"$flavour"}              # 6.1.0-56
major=$(echo "$release" | cut -d. -f1-2) # 6.1
dest=$top/cache/headers/$release
build=$dest/usr/src/linux-headers-$release

if [[ -f "$dest/COMPLETE" ]]; then
  echo "$build"
  exit 0
fi

packages=("linux-headers-$release" "linux-headers-$abi-common" "linux-kbuild-$major")
debs=$top/cache/headers/deb
mkdir -p "$debs"
for p in "${packages[@]}"; do
  if ! ls "$debs/${p}"_*.deb >/dev/null 2>&1; then
    (cd "$debs" && apt-get download "$p" >/dev/null 2>&1) || {
      apt-get update -qq
      (cd "$debs" && apt-get download "$p" >/dev/null)
    }
  fi
done

rm -rf "$dest"
mkdir -p "$dest"
for p in "${packages[@]}"; do
  dpkg -x "$(ls "$debs/${p}"_*.deb | tail -n1)" "$dest"
done

common=$dest/usr/src/linux-headers-$abi-common
[[ -f "$build/Makefile" && -d "$common" ]] || { echo "fetch-headers: unexpected package layout in $dest" >&2; exit 1; }
sed -i "s|/usr/src/linux-headers-$abi-common|$common|g" "$build/Makefile"
# scripts/ and tools/ are relative symlinks into usr/lib/linux-kbuild-<major>, which dpkg -x
# put beside them; check that they resolve.
[[ -x "$build/scripts/mod/modpost" ]] || { echo "fetch-headers: modpost not found through $build/scripts" >&2; exit 1; }
echo "$release" > "$dest/COMPLETE"
echo "$build"
