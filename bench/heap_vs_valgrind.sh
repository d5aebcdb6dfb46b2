#!/usr/bin/env bash
# Side-by-side cost of the heap checker on malloc-heavy workloads, one run each:
#   plain | ringside check | preload (the checked program alone) | valgrind memcheck |
#   ASan build (own programs only)
# Prints wall time, CPU time and peak RSS ratios to the plain run. The `ringside` row's RSS is
# the largest process of the run, which can be the `ringside` front end itself (~6 MB); the
# `preload` row runs the program once more with the bare library (LD_PRELOAD, report to a log
# file), so its RSS is the checked program's own: the figure the memory target is about.
# Usage: bench/heap_vs_valgrind.sh [build-dir]   (default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rs=$build/src/cli/ringside
preload=$build/src/heap/preload/libringside_heap.so
[ -x "$rs" ] || { echo "build ringside first ($rs)"; exit 1; }
[ -f "$preload" ] || { echo "build the preload library first ($preload)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > mt_alloc.c <<'C'
/* 2 threads x 1M malloc/free steps over 1024 live slots, mixed sizes, memory touched. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
static void* run(void* arg) {
    uint64_t x = (uintptr_t)arg * 0x9E3779B97F4A7C15ull + 7;
    void* slots[1024] = {0};
    for (int i = 0; i < 1000000; ++i) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        unsigned r = x % 100;
        size_t size = r < 70 ? 8 + x % 121 : r < 95 ? 129 + x % 896 : 1024 + x % 7168;
        int slot = (x >> 32) % 1024;
        free(slots[slot]);
        slots[slot] = (x & 7) == 0 ? calloc(1, size) : malloc(size);
        /* volatile: the block is freed unread, so gcc -O2 deleted plain stores as dead, and
           the "plain" run allocated memory it never touched. */
        volatile char* block = slots[slot];
        for (size_t o = 0; o < size; o += 64) block[o] = (char)i;
    }
    for (int i = 0; i < 1024; ++i) free(slots[i]);
    return NULL;
}
int main(void) {
    pthread_t t[2];
    for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, (void*)(i + 1));
    for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
    return 0;
}
C
cat > map_strings.cpp <<'C'
// std::map<std::string, std::vector<std::string>>: 200k keys, erase a third, re-insert, concatenate.
#include <map>
#include <string>
#include <vector>
int main() {
    std::map<std::string, std::vector<std::string>> m;
    for (int i = 0; i < 200000; ++i)
        m["key-" + std::to_string(i * 7919 % 1000003)].push_back("value-" + std::to_string(i));
    int n = 0;
    for (auto it = m.begin(); it != m.end(); ++n)
        it = (n % 3 == 0) ? m.erase(it) : std::next(it);
    for (int i = 0; i < 60000; ++i)
        m["again-" + std::to_string(i)].emplace_back(std::string(i % 40, 'x') + "tail");
    size_t total = 0;
    for (auto& [k, v] : m) { std::string s = k; for (auto& e : v) s += e; total += s.size(); }
    return total == 0;
}
C
gcc -O2 -g -pthread mt_alloc.c -o mt_alloc
g++ -O2 -g map_strings.cpp -o map_strings
gcc -O2 -g -pthread -fsanitize=address mt_alloc.c -o mt_alloc_asan
g++ -O2 -g -fsanitize=address map_strings.cpp -o map_strings_asan

# Each cell is the best of $RUNS runs (default 3; wall, CPU and RSS each at its minimum), and
# the configurations take turns within each round: this 2-core VM's speed drifts by 20-30 %
# from one minute to the next, which would otherwise move the ratios more than most changes.
runs=${RUNS:-3}
measure_into() {  # FILE COMMAND...: appends "wall max_rss_kb user sys exit_status"
    local out=$1; shift
    /usr/bin/time -f '%e %M %U %S %x' -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || true
    tail -1 "$work/time.txt" >> "$out"
}
best_of() {  # FILE: prints "wall_seconds max_rss_kb cpu_seconds exit_status" (cpu = user + sys)
    awk 'NR == 1 || $1 < w { w = $1 } NR == 1 || $2 < r { r = $2 } NR == 1 || $3 + $4 < c { c = $3 + $4 } { x = $5 }
         END { printf "%s %s %.2f %s\n", w, r, c, x }' "$1"
}
median_cpu() {  # FILE: the median of its runs' user + sys seconds
    awk '{ print $3 + $4 }' "$1" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.1fx' % (a/b if b else 0))" "$1" "$2"; }

printf '%-12s %-9s %7s %7s %7s %7s %7s %7s\n' workload config wall_s cpu_s rss_MB wall_x cpu_x rss_x
row() {  # NAME CONFIG WALL RSS CPU PLAIN-WALL PLAIN-RSS PLAIN-CPU
    printf '%-12s %-9s %7s %7s %7s %7s %7s %7s\n' "$1" "$2" "$3" "$5" $(($4 / 1024)) \
        "$(ratio "$3" "$6")" "$(ratio "$5" "$8")" "$(ratio "$4" "$7")"
}
run_workload() {  # NAME ASAN-BINARY-or-- COMMAND...
    local name=$1 asan=$2; shift 2
    rm -f "$work"/cell.*
    for _ in $(seq "$runs"); do
        measure_into "$work/cell.plain" "$@"
        measure_into "$work/cell.check" "$rs" check --leak-check=yes -- "$@"
        rm -f "$work/heap.log"
        measure_into "$work/cell.preload" env LD_PRELOAD="$preload" RINGSIDE_HEAP_OPTIONS="log=$work/heap.log" "$@"
        measure_into "$work/cell.memcheck" valgrind --tool=memcheck --leak-check=full --log-file=/dev/null "$@"
        [ "$asan" = "--" ] || ASAN_OPTIONS=detect_leaks=1 measure_into "$work/cell.asan" "./$asan"
    done
    read -r pt pr pc _ < <(best_of "$work/cell.plain")
    read -r ct cr cc cx < <(best_of "$work/cell.check")
    [ "$cx" = 0 ] || echo "note: $name under ringside check exited $cx"
    read -r lt lr lc lx < <(best_of "$work/cell.preload")
    [ "$lx" = 0 ] || echo "note: $name with the bare preload exited $lx"
    read -r vt vr vc _ < <(best_of "$work/cell.memcheck")
    row "$name" plain "$pt" "$pr" "$pc" "$pt" "$pr" "$pc"
    row "$name" ringside "$ct" "$cr" "$cc" "$pt" "$pr" "$pc"
    row "$name" preload "$lt" "$lr" "$lc" "$pt" "$pr" "$pc"
    row "$name" memcheck "$vt" "$vr" "$vc" "$pt" "$pr" "$pc"
    if [ "$asan" != "--" ]; then
        read -r at ar ac _ < <(best_of "$work/cell.asan")
        row "$name" asan "$at" "$ar" "$ac" "$pt" "$pr" "$pc"
    fi
    echo "$name: memcheck/ringside wall = $(ratio "$vt" "$ct"), cpu = $(ratio "$vc" "$cc");" \
        "checked program's peak RSS = $(ratio "$lr" "$pr") plain (preload row)"
    # Best-of-N cells swing with one fast plain round on a 0.1 s workload; the median of each
    # configuration's runs is the steadier figure.
    echo "$name: median CPU of the $runs runs x plain: ringside $(ratio "$(median_cpu "$work/cell.check")" "$(median_cpu "$work/cell.plain")")," \
        "preload $(ratio "$(median_cpu "$work/cell.preload")" "$(median_cpu "$work/cell.plain")")"
}
run_workload mt_alloc mt_alloc_asan ./mt_alloc
run_workload map_strings map_strings_asan ./map_strings
# Debian's interpreter itself: a `python3` found first on PATH may be a pyenv shim (a bash
# script starting several processes), which would measure the shim instead of Python.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
export PYTHONMALLOC=malloc
run_workload py_dict -- "$py" -c 'd = {str(i): [i] * 3 for i in range(300000)}'
