#!/usr/bin/env bash
# Configures and builds one flavour of ringside.
#   scripts/build.sh [plain|sanitize|fuzz]   -> build/, build-sanitize/, build-fuzz/
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-plain}
jobs=$(nproc)
case "$flavour" in
  plain)    dir=build;          args=() ;;
  sanitize) dir=build-sanitize; args=(-DRINGSIDE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug) ;;
  fuzz)     dir=build-fuzz;     args=(-DRINGSIDE_FUZZ=ON -DRINGSIDE_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug
                                      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14) ;;
  *) echo "usage: $0 [plain|sanitize|fuzz]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
cmake --build "$dir" -j "$jobs"
echo "build: $dir ready"
