#!/usr/bin/env bash
# LABELS: heap
# The preload library may import only what is safe inside malloc and signal handlers: glibc's
# own allocator entry points, sigaction & co, dlsym/dladdr (start-up, invalid-free reports),
# the vprintf family its printf interceptors forward to, and libunwind's backtrace. No C++
# runtime, no stdio output of its own.
set -u
: "${RINGSIDE_BUILD_DIR:?}"
so=$RINGSIDE_BUILD_DIR/src/heap/preload/libringside_heap.so
[ -f "$so" ] || { echo "missing $so"; exit 1; }
allowed='^(__libc_malloc|__libc_calloc|__libc_memalign|__libc_free|__memcpy_chk|__memset_chk|__errno_location|__environ|environ|__libc_current_sigrtmin|__register_atfork|sigaction|sigaltstack|dlsym|dladdr|stdout|vfprintf|vsprintf|vsnprintf|unw_backtrace|_ULx86_64_.*|__cxa_finalize|_ITM_.*|__gmon_start__)$'
imports=$(nm -D --undefined-only "$so" | awk '{print $NF}' | sed 's/@.*//')
bad=$(echo "$imports" | grep -Ev "$allowed")
if [ -n "$bad" ]; then echo "forbidden imports in $so:"; echo "$bad"; exit 1; fi
if readelf -d "$so" | grep -q 'libstdc++'; then echo "links libstdc++"; exit 1; fi
echo "imports ok: $(echo $imports)"
