# LABELS: corpus slow
# TIMEOUT: 900
# ringside modprobe against kmod 30's modprobe on the Debian corpus, indexed by kmod's depmod:
#  - --show-depends and -R for EVERY module name and EVERY alias of modules.alias, with the
#    system's configuration and with fixtures that use every directive and precedence rule;
#  - -c with those fixtures, and (when `unshare -m` works) with kernel command lines
#    bind-mounted over /proc/cmdline.
# Names go in batches of 1000 through -a; a batch whose output differs is re-run name by name
# so that every difference is printed with the name that caused it.
set -euo pipefail
corpus=$RINGSIDE_SOURCE_DIR/corpus
if [[ ! -f $corpus/VERSION ]]; then echo "SKIP: no corpus (scripts/fetch-corpus.sh)"; exit 77; fi
for tool in modprobe depmod python3; do
  command -v $tool >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
release=$(cat "$corpus/VERSION")
plain=$corpus/plain/lib/modules/$release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# kmod's depmod writes its indexes into a tree whose kernel/ links to the corpus modules.
root=$work/root
mkdir -p "$root/lib/modules/$release"
ln -s "$plain/kernel" "$root/lib/modules/$release/kernel"
cp "$plain"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$release/"
depmod -b "$root" "$release"
moddir=$root/lib/modules/$release

# Fixtures: two directories with a same-named file (the first directory wins), a single file,
# every directive, globs, interleaved softdep lists, continuation lines, bad lines, files that
# must be ignored, a sub-directory, and names sorting before and after modules.softdep.
fx=$work/fixtures
mkdir -p "$fx/etc" "$fx/lib" "$fx/etc/sub.conf"
printf 'alias my-ext4 ext4\nalias snd-card-* snd_dummy\nalias pci:v00008086d000010D3* e1000\n'\
'alias crc32c crc32c_generic\nalias greeting not_installed_mod\nalias fs-vfat vfat\nalias fs-vfat msdos\n' > "$fx/etc/10-aliases.conf"
printf 'options ext4 errors=remount-ro\tnodiscard\noptions my-ext4 x=1\noptions fat codepage=437\n'\
'options jbd2  a=1\noptions fs-vfat shortname=mixed\noptions vfat utf8=1\noptions crc16 q=1 \n' > "$fx/etc/20-options.conf"
printf 'options ext4 from_lib_copy_must_be_ignored=1\n' > "$fx/lib/20-options.conf"
printf 'blacklist pcspkr\nblacklist crc32c-intel\nblacklist snd-pcsp\nblacklist msdos\nblacklist e1000\n' > "$fx/etc/30-blacklist.conf"
printf 'install floppy /bin/true\ninstall my-pseudo echo pseudo $CMDLINE_OPTS\nremove my-pseudo echo gone\n'\
'install e1000e /sbin/modprobe --ignore-install e1000e $CMDLINE_OPTS\ninstall snd-* echo snd\n'\
'install snd-dummy echo never-first\ninstall multi echo one \\\n  two\ninstall mbcache echo mbcache-by-command\n' > "$fx/etc/40-install.conf"
printf 'softdep vfat pre: nls_cp437 post: nls_iso8859-1\nsoftdep e1000 pre: a post: b pre: c\n'\
'softdep ext4 pre: crc16\nsoftdep btrfs junk post: zstd\nsoftdep snd-* pre: soundcore\n'\
'softdep fat pre: crypto-crc32c post: nls-utf8\n' > "$fx/lib/50-softdep.conf"
printf 'softdep jbd2 pre: crc16 post: fat\nsoftdep xfs post: crc32c\n' > "$fx/lib/pp-after-modules-softdep.conf"
printf 'blacklist from-alias-suffix\n' > "$fx/lib/z.alias"
printf 'blacklist hidden\n' > "$fx/lib/.hidden.conf"
printf 'blacklist not-a-conf\n' > "$fx/lib/README"
printf 'bogus line\n  # indented comment\ninclude /etc/foo\nconfig x\nweakdep a b\noptions lonely\nalias one\n' > "$fx/lib/60-bad.conf"
printf 'options vfat from_single_file=1\n' > "$work/single.conf"
fixture_args=(-C "$fx/etc" -C "$fx/lib" -C "$work/single.conf")

awk -F: '{print $1}' "$moddir/modules.dep" | sed 's|.*/||; s|\.ko.*||' > "$work/names"
awk '$1 == "alias" {print $2}' "$moddir/modules.alias" | sort -u > "$work/aliases"
# Names that only the fixtures define.
printf 'my-ext4\ngreeting\nmy-pseudo\nmulti\nfs-vfat\ncrc32c\nsnd-card-7\nsymbol:jbd2_journal_start\n' > "$work/fixture_names"

export WORK=$work ROOT=$root RELEASE=$release
python3 - "${fixture_args[@]}" <<'EOF'
import os, subprocess, sys

work, root, release = os.environ["WORK"], os.environ["ROOT"], os.environ["RELEASE"]
ringside = os.environ["RINGSIDE"]
fixture = sys.argv[1:]
base = ["-d", root, "-S", release]
failures = 0

def run(cmd, args):
    p = subprocess.run(cmd + base + args, capture_output=True)
    return p.returncode, p.stdout

def compare_items(label, options, items):
    """Compare kmod and ringside on items, 1000 per -a batch; a differing batch is split in
    halves until the names that differ are found, so a few differences cost few runs."""
    global failures
    differing = 0
    def check(batch):
        nonlocal differing
        args = options + (["-a"] + batch if len(batch) > 1 else batch)
        k, r = run(["modprobe"], args), run([ringside, "modprobe"], args)
        if k == r:
            return
        if len(batch) > 1:
            half = len(batch) // 2
            before = differing
            check(batch[:half])
            check(batch[half:])
            if differing == before:
                differing += 1
                print(f"DIFF {label}: {len(batch)} names differ together but none alone: {batch[:3]}...")
            return
        differing += 1
        print(f"DIFF {label}: {batch[0]!r}")
        print(f"  kmod     (exit {k[0]}): {k[1].decode(errors='replace')!r}")
        print(f"  ringside (exit {r[0]}): {r[1].decode(errors='replace')!r}")
    for start in range(0, len(items), 1000):
        check(items[start:start + 1000])
    print(f"{label}: {len(items)} compared, {differing} differ")
    failures += differing

def read(name):
    with open(os.path.join(work, name)) as f:
        return [line.rstrip("\n") for line in f if line.strip()]

names, aliases, extra = read("names"), read("aliases"), read("fixture_names")
print(f"corpus {release}: {len(names)} module names, {len(aliases)} distinct aliases from modules.alias")

for what, items in (("names", names), ("aliases", aliases)):
    compare_items(f"--show-depends {what} (system config)", ["--show-depends"], items)
    compare_items(f"-R {what} (system config)", ["-R"], items)
    compare_items(f"--show-depends {what} (fixtures)", fixture + ["--show-depends"], items)
    compare_items(f"-R {what} (fixtures)", fixture + ["-R"], items)
compare_items("--show-depends fixture names", fixture + ["--show-depends"], extra)
compare_items("-R fixture names", fixture + ["-R"], extra)
compare_items("--show-depends -b names (fixtures)", fixture + ["--show-depends", "-b"], names)
compare_items("--show-depends -i names (fixtures)", fixture + ["--show-depends", "-i"], names)

for label, args in (("-c (system config)", ["-c"]), ("-c (fixtures)", fixture + ["-c"])):
    k, r = run(["modprobe"], args), run([ringside, "modprobe"], args)
    lines = k[1].count(b"\n")
    if k != r:
        failures += 1
        import difflib
        diff = difflib.unified_diff(k[1].decode().splitlines(), r[1].decode().splitlines(), "kmod", "ringside", lineterm="")
        print(f"DIFF {label}:\n" + "\n".join(list(diff)[:60]))
    print(f"{label}: {lines} lines compared, {'0' if k == r else 'some'} differ")

# Module options on the command line go to the named module only.
for args in (["--show-depends", "vfat", "a=1", "b=\"x y\""], ["--show-depends", "fs-vfat", "w=1"],
             ["--show-depends", "my-ext4", "z=2"], ["--show-depends", "my-pseudo", "k=v"]):
    k, r = run(["modprobe"], fixture + args), run([ringside, "modprobe"], fixture + args)
    if k != r:
        failures += 1
        print(f"DIFF {args}: kmod {k!r} ringside {r!r}")
print(f"command-line options: 4 compared")

# The kernel command line, bind-mounted over /proc/cmdline in a private mount namespace.
cmdlines = [
    "a.b=1 c.d \"e.f=x y\" g.h=\"p q\" i.j k.l.m=2 modprobe.blacklist=foo-bar,baz x-y.z=3 n.o=a.b -- p.q=7",
    ".a=1 b.=2 c..d=1 =e.f g=h.i j.k= \"l.m\" n.\"o=p\" q\"r.s=t\" u.v=w\"x y\"z modprobe.blacklist= A-B.c-d=e-f\tt.u=1",
    "BOOT_IMAGE=/vmlinuz root=UUID=1 ro quiet ext4.foo=bar vfat.utf8 modprobe.blacklist=pcspkr,snd_pcsp",
]
probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
if probe.returncode != 0:
    print("kernel command line: skipped (unshare -m not permitted here)")
else:
    for i, line in enumerate(cmdlines):
        path = os.path.join(work, f"cmdline{i}")
        with open(path, "w") as f:
            f.write(line + "\n")
        outs = []
        for tool in (["modprobe"], [ringside, "modprobe"]):
            script = 'mount --bind "$0" /proc/cmdline && exec "$@"'
            p = subprocess.run(["unshare", "-m", "sh", "-c", script, path] + tool + base + ["-c", "-C", "/dev/null"],
                               capture_output=True)
            outs.append((p.returncode, p.stdout))
        if outs[0] != outs[1]:
            failures += 1
            print(f"DIFF kernel command line {line!r}:\n  kmod     {outs[0]!r}\n  ringside {outs[1]!r}")
    print(f"kernel command line: {len(cmdlines)} compared")

print(f"TOTAL differences: {failures}")
sys.exit(1 if failures else 0)
EOF
