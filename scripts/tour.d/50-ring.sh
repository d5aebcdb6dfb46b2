# Part of scripts/tour.sh: what ring 3 may and may not do on this machine.
step "$rs" ring
step "$rs" ring --json --only hlt,sgdt,rdtsc,cpuid
