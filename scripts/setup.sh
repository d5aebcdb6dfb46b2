#!/usr/bin/env bash
# Installs everything ringside needs to build and test on Debian 12 (run as root).
# Idempotent: packages already present are left alone.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git clang-14 lld-14 libclang-rt-14-dev
  # libraries
  liblzma-dev libzstd-dev zlib1g-dev libssl-dev libfmt-dev nlohmann-json3-dev
  libdw-dev libelf-dev libunwind-dev libgtest-dev libgmock-dev libbenchmark-dev
  # reference tools and test helpers
  kmod xz-utils zstd gzip procps smem valgrind python3 file cpio busybox-static
  qemu-system-x86 bc flex bison
  # packaging and docs
  dpkg-dev scdoc zsh python3-jsonschema
  # prometheus' promtool checks the --prometheus output
  prometheus
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"
