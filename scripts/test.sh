#!/usr/bin/env bash
# The whole test suite, as CI runs it: install, fetch the corpus, build the plain,
# sanitizer and fuzz flavours, run every test, run each fuzz target for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fetch-corpus.sh

bash scripts/build.sh plain
(cd build && ctest --output-on-failure -j2 --timeout 1800)

# Under AddressSanitizer and UndefinedBehaviorSanitizer: unit and e2e tests except the slow
# corpus-wide comparisons and QEMU boots, which the plain build already ran.
bash scripts/build.sh sanitize
(cd build-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j2 -LE 'qemu|slow|nosan')

bash scripts/build.sh fuzz
bash scripts/run-fuzzers.sh "${RINGSIDE_FUZZ_SECONDS:-20}"
