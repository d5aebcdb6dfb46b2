# Part of scripts/tour.sh: where a process's memory goes (pmap, mem, shared) on a forked demo.
helpers=$PWD/build/tests/maps-helpers
step "$rs" pmap self
step "$rs" pmap -X self
step "$rs" mem -t -k -s pss -r -P '.'
step "$rs" mem -w -k
step "$rs" mem -u -t -k
demo_dir=$(mktemp -d)
"$helpers/maps_layout" "$demo_dir" 1 > "$demo_dir/out" &
demo_pid=$!
for _ in $(seq 1 100); do grep -q '^ready' "$demo_dir/out" 2>/dev/null && break; sleep 0.05; done
demo_child=$(awk '/^child/{print $2}' "$demo_dir/out")
step "$rs" pmap -x "$demo_pid"
step "$rs" mem -k "$demo_pid" "$demo_child"
step "$rs" shared "$demo_pid" "$demo_child"
step "$rs" mem --svg "$demo_dir/address-space.svg" "$demo_pid"
echo "(address space drawn in $demo_dir/address-space.svg)"
step "$rs" mem --prometheus "$demo_pid"
kill -TERM "$demo_pid" 2>/dev/null || true
wait "$demo_pid" 2>/dev/null || true
rm -rf "$demo_dir"
