# Part of scripts/tour.sh: ringside depmod next to kmod's on a scratch copy of the Debian
# tree; every file it writes is compared byte for byte, then kmod's modprobe reads ringside's
# indexes.
depmod_root=$(mktemp -d)
mkdir -p "$depmod_root/rs/lib/modules" "$depmod_root/kmod/lib/modules"
cp -al "$tree" "$depmod_root/rs/lib/modules/"
cp -al "$tree" "$depmod_root/kmod/lib/modules/"
step depmod -b "$depmod_root/kmod" "$release"
step "$rs" depmod --cache "$depmod_root/cache" -b "$depmod_root/rs" "$release"
step cmp "$depmod_root/kmod/lib/modules/$release/modules.alias.bin" "$depmod_root/rs/lib/modules/$release/modules.alias.bin"
for f in dep dep.bin alias alias.bin softdep symbols symbols.bin builtin.bin builtin.alias.bin devname; do
  if cmp -s "$depmod_root/kmod/lib/modules/$release/modules.$f" "$depmod_root/rs/lib/modules/$release/modules.$f"; then
    echo "  modules.$f: identical"
  else
    echo "  modules.$f: DIFFERENT"
  fi
done
touch "$depmod_root/rs/lib/modules/$release/kernel/fs/fat/vfat.ko"
# awk rather than grep -m or head: it reads to the end, so depmod never dies of SIGPIPE.
step "$rs" depmod -v --cache "$depmod_root/cache" -b "$depmod_root/rs" "$release" 2>/dev/null | awk '/vfat/ && n++ < 3'
step modprobe -d "$depmod_root/rs" -S "$release" --show-depends vfat
step "$rs" depmod -n -b "$depmod_root/rs" "$release" | awk '/^kernel\/fs\/fat/ && n++ < 2'
rm -rf "$depmod_root"
