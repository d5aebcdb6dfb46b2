#!/bin/busybox sh
# PID 1 of the module-tools test initramfs. Runs ringside's insmod/rmmod/lsmod/modprobe/modinfo
# (called by absolute path: /bin/insmod and friends are busybox's) against Debian's kernel,
# compares with kmod 30 in the same guest, prints "PASS: ..." / "FAIL: ..." lines and a final
# "RESULT: PASS|FAIL" on the console, then powers off.
export PATH=/bin:/usr/sbin:/usr/bin
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /etc/modprobe.d
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
RS=/rs/ringside
KM=/usr/sbin   # kmod 30: symlinks to /usr/bin/kmod
KVER=$(uname -r)
M=/lib/modules/$KVER
T=/test
fail=0
pass() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
check() { d=$1; shift; if "$@"; then pass "$d"; else bad "$d"; fi; }
loaded() { grep -q "^$1 " /proc/modules; }
gone() { ! grep -q "^$1 " /proc/modules; }
# expect_fail DESCRIPTION PATTERN COMMAND...: exit status 1 and PATTERN on stderr
expect_fail() {
	d=$1; p=$2; shift 2
	"$@" >/tmp/out 2>/tmp/err; rc=$?
	echo "--- $d: exit $rc"; sed 's/^/    /' /tmp/err
	if [ $rc = 1 ] && grep -q -- "$p" /tmp/err; then pass "$d"; else bad "$d (exit $rc, wanted 1 and '$p')"; fi
}
names_in_load_order() { awk '{print $1}' /proc/modules | sed -n '1!G;h;$p'; }
unload_all() { for i in 1 2 3 4 5 6; do for m in $(awk '{print $1}' /proc/modules); do $KM/rmmod $m 2>/dev/null; done; done; }

echo "=== guest: kernel $KVER, uptime $(cut -d' ' -f1 /proc/uptime)s"
check "ringside runs in the guest" $RS --version

echo "=== modprobe ext4: dependencies and soft dependencies load in order"
$RS modprobe -D ext4 | awk '{print $2}' | sed 's|.*/||; s|\.ko.*||; s|-|_|g' > /tmp/expected
check "ringside modprobe ext4" $RS modprobe ext4
names_in_load_order > /tmp/loaded
echo "    expected: $(tr '\n' ' ' < /tmp/expected)"; echo "    loaded:   $(tr '\n' ' ' < /tmp/loaded)"
check "ext4 and its dependencies loaded in --show-depends order" cmp -s /tmp/expected /tmp/loaded

echo "=== modprobe vport-vxlan: 11 dependencies"
$RS modprobe -D vport-vxlan | awk '{print $2}' | sed 's|.*/||; s|\.ko.*||; s|-|_|g' | grep -v -x -F -f /tmp/loaded > /tmp/expected2
check "ringside modprobe vport-vxlan" $RS modprobe vport-vxlan
names_in_load_order | grep -v -x -F -f /tmp/loaded > /tmp/loaded2
echo "    expected: $(tr '\n' ' ' < /tmp/expected2)"; echo "    loaded:   $(tr '\n' ' ' < /tmp/loaded2)"
check "vport-vxlan: at least 10 modules loaded" [ "$(wc -l < /tmp/loaded2)" -ge 10 ]
check "vport-vxlan and its dependencies loaded in order" cmp -s /tmp/expected2 /tmp/loaded2

echo "=== lsmod: ringside against kmod in the same kernel"
$RS lsmod > /tmp/rs.lsmod; $KM/lsmod > /tmp/kmod.lsmod
cat /tmp/rs.lsmod
check "ringside lsmod equals kmod lsmod ($(($(wc -l < /tmp/kmod.lsmod) - 1)) modules)" cmp -s /tmp/rs.lsmod /tmp/kmod.lsmod
check "ringside lsmod --json lists ext4" sh -c "$RS lsmod --json | grep -q '\"name\": \"ext4\"'"

echo "=== failure: module in use"
expect_fail "rmmod jbd2 while ext4 holds it" "in use by: ext4" $RS rmmod jbd2
check "jbd2 still loaded" loaded jbd2

echo "=== modprobe -r: ringside unloads as kmod does"
$RS modprobe -r -n -v ext4 > /tmp/rs.dry; $KM/modprobe -r -n -v ext4 > /tmp/kmod.dry
check "modprobe -r -n -v ext4: same actions as kmod" cmp -s /tmp/rs.dry /tmp/kmod.dry
check "ringside modprobe -r vport-vxlan" $RS modprobe -r vport-vxlan
check "ringside modprobe -r ext4" $RS modprobe -r ext4
awk '{print $1}' /proc/modules | sort > /tmp/after.rs
unload_all
$KM/modprobe ext4; $KM/modprobe vport-vxlan; $KM/modprobe -r vport-vxlan; $KM/modprobe -r ext4
awk '{print $1}' /proc/modules | sort > /tmp/after.kmod
echo "    left by ringside: $(tr '\n' ' ' < /tmp/after.rs)"; echo "    left by kmod:     $(tr '\n' ' ' < /tmp/after.kmod)"
check "modules left after -r are the same as kmod leaves" cmp -s /tmp/after.rs /tmp/after.kmod
unload_all

echo "=== modprobe.d: options, alias, blacklist, install, softdep"
cat > /etc/modprobe.d/test.conf <<'CONF'
options hello audience=conf times=3
alias greeting hello
softdep vfat pre: crc16
install fake_install echo INSTALL-RAN $CMDLINE_OPTS > /tmp/install.out
blacklist snd_dummy_not_here
CONF
check "ringside modprobe greeting (alias from modprobe.d)" $RS modprobe greeting
check "/sys/module/hello/parameters/audience from options" [ "$(cat /sys/module/hello/parameters/audience 2>/dev/null)" = conf ]
check "/sys/module/hello/parameters/times from options" [ "$(cat /sys/module/hello/parameters/times 2>/dev/null)" = 3 ]
check "ringside rmmod hello" $RS rmmod hello
check "ringside modprobe vfat (vfat.ko.xz, fat.ko.zst in the tree)" $RS modprobe vfat
check "softdep pre: crc16 loaded with vfat" loaded crc16
check "fat (.ko.zst) loaded as dependency" loaded fat
$RS modprobe -r vfat
check "install command ran with options" sh -c "$RS modprobe fake_install a=1 && grep -q 'INSTALL-RAN a=1' /tmp/install.out"
echo "blacklist hello" > /etc/modprobe.d/bl.conf
check "blacklisted module is not loaded through an alias" sh -c "$RS modprobe greeting && ! grep -q '^hello ' /proc/modules"
check "blacklisted module is not loaded by name with -b" sh -c "$RS modprobe -b hello && ! grep -q '^hello ' /proc/modules"
check "blacklist does not stop an explicit name" sh -c "$RS modprobe hello && grep -q '^hello ' /proc/modules"
$RS rmmod hello
rm -f /etc/modprobe.d/bl.conf /etc/modprobe.d/test.conf

echo "=== compressed modules"
check "ringside insmod hello.ko.xz" $RS insmod $T/hello.ko.xz audience=xz
check "parameter reached the .ko.xz module" [ "$(cat /sys/module/hello/parameters/audience)" = xz ]
$RS rmmod hello
check "ringside insmod hello.ko.zst" $RS insmod $T/hello.ko.zst audience=zst
check "parameter reached the .ko.zst module" [ "$(cat /sys/module/hello/parameters/audience)" = zst ]
$RS rmmod hello

echo "=== the sample module and a fresh skeleton"
check "ringside insmod hello.ko audience=qemu times=2" $RS insmod $T/hello.ko audience=qemu times=2
check "kernel log: load line" sh -c 'dmesg | grep -q "hello: loaded, hello qemu (2 of 2)"'
check "ringside rmmod hello" $RS rmmod hello
check "kernel log: unload line" sh -c 'dmesg | grep -q "hello: unloaded, goodbye qemu"'
check "ringside insmod skeleton greeting=hey" $RS insmod $T/skel.ko greeting=hey
check "skeleton: load line" sh -c 'dmesg | grep -q "skel: loaded, hey"'
check "ringside rmmod skel" $RS rmmod skel
check "skeleton: unload line" sh -c 'dmesg | grep -q "skel: unloaded"'
if $RS modinfo $T/hello.ko >/tmp/rs.modinfo 2>/tmp/rs.modinfo.err; then
	for f in hello.ko skel.ko; do
		$RS modinfo $T/$f > /tmp/rs.mi; $KM/modinfo $T/$f > /tmp/kmod.mi
		check "ringside modinfo $f equals kmod modinfo" cmp -s /tmp/rs.mi /tmp/kmod.mi
	done
	cat /tmp/rs.mi
else
	echo "INFO: ringside modinfo not available in this build ($(cat /tmp/rs.modinfo.err)); check skipped"
fi

echo "=== failures: exit status 1 and a message that says why"
expect_fail "missing module" "not found" $RS modprobe no_such_module
expect_fail "missing file" "No such file" $RS insmod /nonexistent.ko
expect_fail "module built for another kernel" "built for kernel 6.1.0-99-amd64" $RS insmod $T/hello-otherkernel.ko
expect_fail "corrupt module file" "not a usable module" $RS insmod $T/corrupt.ko
expect_fail "unknown symbol" "exported by jbd2" $RS insmod $M/kernel/fs/ext4/ext4.ko
expect_fail "rmmod of a module that is not loaded" "not currently loaded" $RS rmmod hello
expect_fail "rmmod of a built-in module" "builtin" $RS rmmod unix
$RS insmod $T/hello.ko
expect_fail "insmod of a loaded module" "already loaded" $RS insmod $T/hello.ko
expect_fail "modprobe --first-time of a loaded module" "already in kernel" $RS modprobe --first-time hello
$RS rmmod hello

echo "=== uptime at end: $(cut -d' ' -f1 /proc/uptime)s"
if [ $fail = 0 ]; then echo "RESULT: PASS"; else echo "RESULT: FAIL"; fi
sync
poweroff -f
