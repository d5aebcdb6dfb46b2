#!/usr/bin/env bash
# Fetches Debian's current linux-image-amd64 kernel package and unpacks it into
# corpus/ (git-ignored), then makes .ko.xz, .ko.zst and .ko.gz copies of its module tree.
#   corpus/deb/              the downloaded .deb files
#   corpus/plain/lib/modules/<ver>/...   the tree as Debian ships it
#   corpus/{xz,zst,gz}/lib/modules/<ver>/...  the same tree with every module compressed
#   corpus/VERSION           the kernel release (<ver>)
# Idempotent: does nothing when the corpus for the current package is complete.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/corpus
mkdir -p "$root/deb"

meta=linux-image-amd64
# The metapackage depends on the versioned image package (its ABI number changes over time).
image=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [[ -z "$image" ]]; then
  apt-get update -qq
  image=$(apt-cache depends "$meta" | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
[[ -n "$image" ]] || { echo "fetch-corpus: cannot resolve $meta" >&2; exit 1; }
release=${image#linux-image-}
release=${release%-unsigned}

if [[ -f "$root/COMPLETE" && "$(cat "$root/COMPLETE")" == "$release" ]]; then
  echo "fetch-corpus: $release already complete in $root"
  exit 0
fi

cd "$root/deb"
if ! ls "$image"_*.deb >/dev/null 2>&1; then
  apt-get download -o APT::Sandbox::User=root "$image" >/dev/null
fi
cd "$root"
rm -rf plain xz zst gz
mkdir -p plain
dpkg -x deb/"$image"_*.deb plain
echo "$release" > VERSION
tree=plain/lib/modules/$release
[[ -d "$tree" ]] || { echo "fetch-corpus: $tree missing after unpack" >&2; exit 1; }

# Compressed copies keep every other file (modules.order, modules.builtin*, ...) as is.
# Compressed with the settings kbuild uses, in parallel over both cores.
jobs=$(nproc)
for kind in xz zst gz; do
  mkdir -p "$kind"
  cp -a plain/. "$kind"/
done
compress_tree() {
  local kind=$1 cmd=$2
  (cd "$kind" && find lib/modules -name '*.ko' -print0 | xargs -0 -P "$jobs" -n 64 sh -c "$cmd" _)
}
compress_tree xz  'for f; do xz --check=crc32 --lzma2=dict=1MiB -T1 -q "$f"; done'
compress_tree zst 'for f; do zstd -q -T1 --rm "$f"; done'
compress_tree gz  'for f; do gzip -9 -n "$f"; done'

count=$(find "$tree" -name '*.ko' | wc -l)
echo "$release" > COMPLETE
echo "fetch-corpus: $release with $count modules in plain, xz, zst and gz trees under $root"
