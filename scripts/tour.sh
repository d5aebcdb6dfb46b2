#!/usr/bin/env bash
# Installs what is needed, builds ringside, and shows what it does on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fetch-corpus.sh
bash scripts/build.sh plain
rs=$PWD/build/src/cli/ringside
release=$(cat corpus/VERSION)
tree=$PWD/corpus/plain/lib/modules/$release

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@" || echo "(exit status $?)"; }

step "$rs" --help
step "$rs" --version
for part in scripts/tour.d/*.sh; do
  [[ -f "$part" ]] && source "$part"
done
