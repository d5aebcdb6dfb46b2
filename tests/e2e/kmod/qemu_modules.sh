# LABELS: qemu corpus
# TIMEOUT: 600
# The module tools in Debian's real kernel: builds the sample module and a fresh skeleton
# against Debian's headers for the corpus kernel, packs them with ringside, kmod 30 and a
# subset of the corpus modules into an initramfs, boots the corpus kernel under QEMU and reads
# the guest's PASS/FAIL lines (tests/qemu/init.sh holds the checks).
set -euo pipefail
src=$RINGSIDE_SOURCE_DIR
corpus=$src/corpus
[[ -f $corpus/VERSION ]] || { echo "SKIP: no corpus (scripts/fetch-corpus.sh)"; exit 77; }
for tool in qemu-system-x86_64 busybox kmod depmod make gcc-12 cpio xz zstd; do
  command -v $tool >/dev/null || { echo "SKIP: $tool missing (scripts/setup.sh)"; exit 77; }
done
release=$(cat "$corpus/VERSION")
tree=$corpus/plain/lib/modules/$release
kernel=$corpus/plain/boot/vmlinuz-$release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

headers=$(bash "$src/scripts/fetch-headers.sh") || { echo "FAIL: could not fetch the kernel headers"; exit 1; }
echo "headers: $headers"

cp -r "$src/examples/hello-module" "$work/hello"
make -s -C "$work/hello" KDIR="$headers" >"$work/hello-build.log" 2>&1 || { cat "$work/hello-build.log"; exit 1; }
"$RINGSIDE" module new skel --author "ringside tests" --description "Skeleton built by the QEMU test" -C "$work"
make -s -C "$work/skel" KDIR="$headers" >"$work/skel-build.log" 2>&1 || { cat "$work/skel-build.log"; exit 1; }
echo "built: $(ls "$work/hello/hello.ko" "$work/skel/skel.ko" | tr '\n' ' ')"

bash "$src/tests/qemu/build-initramfs.sh" "$work/initrd.gz" "$RINGSIDE" "$tree" "$work/hello/hello.ko" "$work/skel/skel.ko"
bash "$src/tests/qemu/boot.sh" "$kernel" "$work/initrd.gz" "$work/console.log" 300
