#!/usr/bin/env bash
# Every option a tool's --help shows must be documented in its man page source
# (docs/man/ringside-TOOL.N.scd; ringside itself in ringside.1.scd), and every man page must
# have been built. A tool whose --help is still the placeholder ("not available in this build
# yet") is skipped, and reported, while it is one.
set -euo pipefail
src=${RINGSIDE_SOURCE_DIR:?}
man_build=${RINGSIDE_BUILD_DIR:?}/man

python3 - "$RINGSIDE" "$src/docs/man" "$man_build" <<'PY'
import glob, os, re, subprocess, sys

ringside, man_sources, man_build = sys.argv[1:]
option = re.compile(r"(?<![\w\-./=])(--?[A-Za-z0-9][A-Za-z0-9-]*)")

def help_text(*args):
    run = subprocess.run([ringside, *args], capture_output=True, text=True)
    return run.stdout + run.stderr

top = help_text("--help")
tools = re.findall(r"^  (\w+) ", top, re.M)
if not tools:
    sys.exit("no tools found in `ringside --help`")

def documented(page_text, flag):
    return re.search(r"(?<![\w-])" + re.escape(flag) + r"(?![\w-])", page_text) is not None

failures, skipped, checked = [], [], 0
pages = {"ringside": (os.path.join(man_sources, "ringside.1.scd"), top + help_text("--version"))}
for tool in tools:
    found = glob.glob(os.path.join(man_sources, f"ringside-{tool}.[18].scd"))
    if not found:
        failures.append(f"{tool}: no man page docs/man/ringside-{tool}.N.scd")
        continue
    pages[tool] = (found[0], help_text(tool, "--help"))

for tool, (page, text) in pages.items():
    name = os.path.basename(page)[:-4]           # ringside-ring.1
    section = name.rsplit(".", 1)[1]
    if not os.path.exists(os.path.join(man_build, f"man{section}", name + ".gz")):
        failures.append(f"{tool}: {name} was not built into {man_build}")
    if "not available in this build yet" in text:
        skipped.append(tool)
        continue
    page_text = open(page).read()
    flags = sorted(set(option.findall(re.sub(r"`[^`]*`|\$\([^)]*\)", "", text))))  # quoted commands are not options
    if tool == "ringside":
        flags = [f for f in flags if f in ("--help", "-h", "--version", "-V")]
    for flag in flags:
        checked += 1
        if not documented(page_text, flag):
            failures.append(f"{tool}: {flag} is in --help but not in {os.path.basename(page)}")

print(f"checked {checked} options of {len(pages) - len(skipped)} tools; placeholders skipped: {' '.join(skipped) or 'none'}")
if failures:
    print("\n".join(failures))
    sys.exit(1)
PY
