# Part of scripts/tour.sh: the module lifecycle. modprobe on the corpus (indexed here with
# kmod's depmod), a new module skeleton built against Debian's headers for the corpus kernel,
# then (unless RINGSIDE_TOUR_QEMU=0) the QEMU suite: Debian's kernel booted with ringside's
# insmod, lsmod, modprobe and rmmod doing the work, checked against kmod in the same guest.
modtour=$(mktemp -d)
mkdir -p "$modtour/root/lib/modules/$release"
ln -s "$tree/kernel" "$modtour/root/lib/modules/$release/kernel"
cp "$tree"/modules.{order,builtin,builtin.modinfo} "$modtour/root/lib/modules/$release/"
depmod -b "$modtour/root" "$release"
step "$rs" modprobe -d "$modtour/root" -S "$release" --show-depends ext4
step "$rs" modprobe -d "$modtour/root" -S "$release" --show-depends vport-vxlan
step "$rs" modprobe -d "$modtour/root" -S "$release" -R 'pci:v00008086d000010D3sv*sd*bc*sc*i*'
step "$rs" module new tourmod --description "Written by the ringside tour" -C "$modtour"
step cat "$modtour/tourmod/tourmod.c"
if headers=$(bash scripts/fetch-headers.sh); then
  step make -s -C "$modtour/tourmod" KDIR="$headers"
  step "$rs" modinfo "$modtour/tourmod/tourmod.ko"
fi
if [[ ${RINGSIDE_TOUR_QEMU:-1} == 1 ]]; then
  step env RINGSIDE="$rs" RINGSIDE_SOURCE_DIR="$PWD" bash tests/e2e/kmod/qemu_modules.sh
fi
rm -rf "$modtour"
