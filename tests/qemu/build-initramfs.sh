#!/usr/bin/env bash
# Builds the initramfs for the module-tools QEMU test.
#   build-initramfs.sh OUT.cpio.gz RINGSIDE MODULE_TREE HELLO_KO SKELETON_KO
# Contents: static busybox (every applet as a symlink), tests/qemu/init.sh as /init, ringside
# and the shared libraries it links (copied beside it, so the guest runs the binary under
# test), kmod 30 with its libraries (the reference), a subset of the corpus modules with
# kmod's depmod indexes, and test files in /test.
set -euo pipefail
out=$1 ringside=$2 tree=$3 hello=$4 skeleton=$5
here=$(cd "$(dirname "$0")" && pwd)
release=$(basename "$tree")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc/modprobe.d,rs,test}
cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list); do
  # busybox lists itself: a link named busybox would replace the binary.
  [[ -e "$stage/bin/$applet" ]] || ln -s busybox "$stage/bin/$applet"
done
install -m 0755 "$here/init.sh" "$stage/init"

copy_with_libraries() {  # copy_with_libraries BINARY DEST
  cp "$1" "$stage$2"
  ldd "$1" | awk '/=>/ && $3 ~ /^\// {print $3} /^\t\/.*ld-linux/ {print $1}' | while read -r lib; do
    mkdir -p "$stage$(dirname "$lib")"
    cp -L "$lib" "$stage$lib"
  done
}
copy_with_libraries "$ringside" /rs/ringside
# Debug info is most of the binary and the guest decompresses the initramfs under emulation.
strip --strip-debug "$stage/rs/ringside"
copy_with_libraries /usr/bin/kmod /usr/bin/kmod
for tool in insmod rmmod lsmod modinfo modprobe depmod; do ln -s ../bin/kmod "$stage/usr/sbin/$tool"; done

# Modules: ext4 and vport-vxlan with their dependencies and soft dependencies, vfat as .ko.xz
# over fat as .ko.zst, the sample module in extra/.
gm=$stage/lib/modules/$release
mkdir -p "$gm"
for m in lib/crc16 fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4 crypto/crc32c_generic arch/x86/crypto/crc32c-intel \
         lib/libcrc32c net/ipv4/udp_tunnel net/ipv6/ip6_udp_tunnel net/ipv4/netfilter/nf_defrag_ipv4 \
         net/ipv6/netfilter/nf_defrag_ipv6 net/netfilter/nf_conntrack net/netfilter/nf_nat \
         net/netfilter/nf_conncount net/nsh/nsh net/openvswitch/openvswitch drivers/net/vxlan/vxlan \
         net/openvswitch/vport-vxlan; do
  mkdir -p "$gm/kernel/$(dirname "$m")"
  cp "$tree/kernel/$m.ko" "$gm/kernel/$m.ko"
done
mkdir -p "$gm/kernel/fs/fat" "$gm/extra"
xz --check=crc32 --lzma2=dict=1MiB -c "$tree/kernel/fs/fat/vfat.ko" > "$gm/kernel/fs/fat/vfat.ko.xz"
zstd -q -c "$tree/kernel/fs/fat/fat.ko" > "$gm/kernel/fs/fat/fat.ko.zst"
cp "$hello" "$gm/extra/hello.ko"
cp "$tree"/modules.{order,builtin,builtin.modinfo} "$gm/"
depmod -b "$stage" "$release"

# Test files outside the module tree (depmod must see one hello only).
cp "$hello" "$stage/test/hello.ko"
cp "$skeleton" "$stage/test/skel.ko"
xz --check=crc32 --lzma2=dict=1MiB -c "$hello" > "$stage/test/hello.ko.xz"
zstd -q -c "$hello" > "$stage/test/hello.ko.zst"
# Built for another kernel: another release and another "mod_unload" flag in vermagic (with
# modversions the kernel ignores the release and compares the flags), same length.
kabi=${release%-*}   # 6.1.0-56
other=${kabi%-*}-99
sed "s/vermagic=$release SMP preempt mod_unload/vermagic=$other-${release##*-} SMP preempt mod_unlo4d/" \
  "$hello" > "$stage/test/hello-otherkernel.ko"
cmp -s "$hello" "$stage/test/hello-otherkernel.ko" && { echo "build-initramfs: vermagic patch did not apply" >&2; exit 1; }
head -c 4000 "$hello" > "$stage/test/corrupt.ko"

(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$out"
echo "initramfs: $(du -sh "$stage" | cut -f1) staged, $(stat -c %s "$out") bytes"
