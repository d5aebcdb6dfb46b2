# Part of scripts/tour.sh: modinfo on the Debian corpus, by path (plain and compressed) and by
# name through indexes that ringside's depmod writes into a scratch module directory.
step "$rs" modinfo "$tree/kernel/fs/fat/vfat.ko"
step "$rs" modinfo -F depends -F alias "$PWD/corpus/xz/lib/modules/$release/kernel/fs/ext4/ext4.ko.xz"
step "$rs" modinfo -p "$PWD/corpus/gz/lib/modules/$release/kernel/net/netfilter/nf_conntrack.ko.gz"
step "$rs" modinfo --json "$PWD/corpus/zst/lib/modules/$release/kernel/fs/fat/vfat.ko.zst"
modinfo_root=$(mktemp -d)
mkdir -p "$modinfo_root/lib/modules/$release"
for f in "$tree"/*; do ln -s "$f" "$modinfo_root/lib/modules/$release/"; done
if "$rs" depmod -b "$modinfo_root" "$release" 2>/dev/null; then
  step "$rs" modinfo -b "$modinfo_root" -k "$release" -n snd-hda-intel fs-vfat 'pci:v00008086d00001533sv*sd*bc*sc*i*'
  step "$rs" modinfo -b "$modinfo_root" -k "$release" -m ext4
else
  step depmod -b "$modinfo_root" "$release"
  step "$rs" modinfo -b "$modinfo_root" -k "$release" -n snd-hda-intel fs-vfat
fi
rm -rf "$modinfo_root"
