#!/usr/bin/env bash
# Side by side, one run: ringside's maps tools against the tools they replace.
#   1. the system view over ~200 processes: smem vs ringside mem          (target <= 0.10)
#   2. pmap -X over every PID: procps pmap batched by 255 vs ringside     (target <= 0.25)
#   3. pmap -X of one process with 10,000 mappings                        (target <= 0.50)
#   4. pmap -X of one process with 4 GiB resident in 4 KiB pages          (target <= 0.50)
# Each figure is the median of 5 runs after one warm-up. Usage (root, from a built tree):
#   RINGSIDE=build/src/cli/ringside RINGSIDE_BUILD_DIR=build bash bench/maps_vs_anchors.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RINGSIDE=${RINGSIDE:-$PWD/build/src/cli/ringside}
RINGSIDE_BUILD_DIR=${RINGSIDE_BUILD_DIR:-$PWD/build}
export RINGSIDE RINGSIDE_BUILD_DIR
source tests/maps-helpers/common.sh
need smem
need pmap
need python3

# median_ms CMD...: runs the command once to warm up, then 5 times; prints the median in ms.
median_ms() {
  "$@" >/dev/null 2>&1 || true
  local times=() i start end
  for i in 1 2 3 4 5; do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | awk '{printf "%.1f", $1 / 1000}'
}

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.3f}')" "$1" "$2"; }

echo "population: starting processes..."
for i in $(seq 1 100); do sleep 3600 & started_pids+=($!); done
for i in $(seq 1 40); do
  python3 -c "import time; b = bytearray($(( (i % 26 + 5) * 1024 * 1024 ))); time.sleep(3600)" & started_pids+=($!)
done
mkdir -p "$work/files"
for i in $(seq 1 20); do mkdir -p "$work/files/$i"; start_helper maps_layout "$work/files/$i" 1; done
for i in $(seq 1 5); do start_helper maps_manymaps 2000; done
start_helper maps_manymaps 10000; many=$helper_pid
start_helper maps_bigrss 4096; big=$helper_pid
sleep 2
all_pids=$(ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\n' ' ')
nproc=$(echo "$all_pids" | wc -w)
nuser=$(grep -l '^VmRSS' /proc/[0-9]*/status 2>/dev/null | wc -l || true)
echo "population: $nproc PIDs ($nuser with user memory), including a 10,000-mapping and a 4 GiB process"
echo

# The 4 GiB process dominates any whole-system scan (21 ms per smaps pass), as it did in the
# spec's bench1; the system-view row is measured both with it and without it.
smem_all=$(median_ms smem)
mem_all=$(median_ms "$RINGSIDE" mem)
kill -STOP "$big"
smem_small=$(median_ms smem -P '^(?!.*maps_bigrss)')
mem_small=$(median_ms "$RINGSIDE" mem -P '^(?!.*maps_bigrss)')
kill -CONT "$big"
pmap_batched=$(median_ms bash -c "echo $all_pids | xargs -n 255 pmap -X")
pmap_ours=$(median_ms "$RINGSIDE" pmap -X $all_pids)
pmap_many=$(median_ms pmap -X "$many")
ours_many=$(median_ms "$RINGSIDE" pmap -X "$many")
# The floor for any tool that prints pmap -X: the kernel's one walk of the big process's pages,
# measured before and after the two tools (khugepaged may merge pages meanwhile, which makes
# later walks cheaper).
cat_before=$(median_ms cat "/proc/$big/smaps")
pmap_big=$(median_ms pmap -X "$big")
ours_big=$(median_ms "$RINGSIDE" pmap -X "$big")
cat_after=$(median_ms cat "/proc/$big/smaps")
rollup_big=$(median_ms "$RINGSIDE" mem "$big")

printf '%-52s %10s %10s %7s %7s\n' "what" "anchor ms" "ours ms" "ratio" "target"
printf '%-52s %10s %10s %7s %7s\n' "system view, every process (smem / mem)" "$smem_all" "$mem_all" "$(ratio "$mem_all" "$smem_all")" "0.10"
printf '%-52s %10s %10s %7s %7s\n' "system view without the 4 GiB process" "$smem_small" "$mem_small" "$(ratio "$mem_small" "$smem_small")" "0.10"
printf '%-52s %10s %10s %7s %7s\n' "pmap -X, all PIDs (xargs -n 255 pmap / ringside)" "$pmap_batched" "$pmap_ours" "$(ratio "$pmap_ours" "$pmap_batched")" "0.25"
printf '%-52s %10s %10s %7s %7s\n' "pmap -X, 10,000 mappings" "$pmap_many" "$ours_many" "$(ratio "$ours_many" "$pmap_many")" "0.50"
printf '%-52s %10s %10s %7s %7s\n' "pmap -X, 4 GiB resident (4 KiB pages)" "$pmap_big" "$ours_big" "$(ratio "$ours_big" "$pmap_big")" "0.50"
printf '%-52s %10s %10s %7s %7s\n' "  floor: one 'cat smaps' of it, before the tools" "$pmap_big" "$cat_before" "$(ratio "$cat_before" "$pmap_big")" ""
printf '%-52s %10s %10s %7s %7s\n' "  floor: one 'cat smaps' of it, after the tools" "$pmap_big" "$cat_after" "$(ratio "$cat_after" "$pmap_big")" ""
echo
echo "mem --watch pacing: one smaps_rollup read of the 4 GiB process (whole ringside mem run) takes ${rollup_big} ms;"
echo "at a 1 % lock duty cycle --watch re-reads it at most every $(python3 -c "print(f'{float(\"$rollup_big\") * 100 / 1000:.1f}')") s, small processes every interval."
