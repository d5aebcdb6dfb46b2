#!/usr/bin/env bash
# LABELS: heap nosan
# TIMEOUT: 120
# --show-reachable lists the blocks still reachable at exit by allocation stack, as Valgrind's
# memcheck --show-reachable=yes does: same blocks, same sizes, same allocating lines; the
# definitely lost block stays an error, the reachable ones do not.
set -u
: "${RINGSIDE:?}"
command -v valgrind >/dev/null && command -v gcc >/dev/null || { echo "valgrind or gcc missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/reach.c" <<'C'
#include <stdlib.h>
#include <string.h>
struct node { struct node* next; char payload[24]; };
static struct node* list;   /* a global keeps a chain of 3 blocks reachable */
static char* table;
static void lose(void) { char* p = malloc(33); p[0] = 1; }
int main(void) {
    for (int i = 0; i < 3; i++) {
        struct node* n = malloc(sizeof *n);
        n->next = list;
        list = n;
    }
    table = calloc(100, 1);
    lose();
    for (int i = 0; i < 10; i++) free(malloc(40));
    return 0;
}
C
gcc -g -O0 "$work/reach.c" -o "$work/reach" || exit 1
"$RINGSIDE" check --show-reachable --json="$work/r.json" -- "$work/reach" 2>"$work/r.err"
status=$?
valgrind --leak-check=full --show-reachable=yes "$work/reach" 2>"$work/vg.err"
python3 - "$work/r.json" "$work/vg.err" "$status" <<'PY' || { sed 's/^/    | /' "$work/r.err" | tail -30; exit 1; }
import json, re, sys
doc = json.load(open(sys.argv[1]))
vg = open(sys.argv[2]).read()
status = int(sys.argv[3])
# memcheck: "N bytes in M blocks are still reachable in loss record i of n" followed by "at ...(reach.c:L)"
def memcheck(kind):
    out = set()
    for m in re.finditer(r"([\d,]+) bytes in ([\d,]+) blocks? (?:are|is) " + kind + r" in loss record.*?\n((?:==\d+==    (?:at|by) .*\n)+)", vg):
        lines = re.findall(r"reach\.c:(\d+)", m.group(3))
        out.add((int(m.group(1).replace(",", "")), int(m.group(2).replace(",", "")), int(lines[0]) if lines else None))
    return out
def ours(groups):
    out = set()
    for g in groups:
        line = next((f["line"] for s in g["stacks"][:1] for f in s["frames"] if f.get("file") and f["file"].endswith("reach.c")), None)
        out.add((g["bytes"], g["blocks"], line))
    return out
reachable_ours = ours(doc["reachable"])
reachable_vg = memcheck("still reachable")
lost_ours = ours([e for e in doc["errors"] if e["kind"] == "leak"])
lost_vg = memcheck("definitely lost")
print("still reachable: ringside", sorted(reachable_ours), "memcheck", sorted(reachable_vg))
print("definitely lost: ringside", sorted(lost_ours), "memcheck", sorted(lost_vg))
ok = reachable_ours == reachable_vg and lost_ours == lost_vg and len(reachable_ours) == 2 and status == 0
sys.exit(0 if ok else 1)
PY
echo "--show-reachable lists the same reachable and lost blocks as memcheck"
