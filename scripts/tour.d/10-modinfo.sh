# Part of scripts/tour.sh: modinfo on the Debian corpus.
step "$rs" modinfo "$tree/kernel/fs/ext4/ext4.ko"
step "$rs" modinfo -b "$PWD/corpus/zst" -k "$release" -F depends ext4
step "$rs" modinfo --json "$tree/kernel/fs/fat/vfat.ko"
