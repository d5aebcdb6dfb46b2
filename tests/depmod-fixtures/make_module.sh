#!/bin/bash
# Builds a tiny ELF relocatable that kmod's depmod reads like a kernel module (it cannot be
# loaded): .modinfo strings, exported symbols with CRCs, undefined (needed) symbols and
# __versions records. Sourced by the depmod tests:
#   make_module OUT.ko [modinfo KEY=VALUE]... [export SYM CRC]... [need SYM]... [weak SYM]...
#               [version SYM CRC]... [nomodinfo]
make_module() {
    local out=$1
    shift
    local src body="" modinfo=1 n=0
    src=$(mktemp --suffix=.c)
    while (($#)); do
        n=$((n + 1))
        case $1 in
        modinfo)
            body+="static const char mi_$n[] __attribute__((section(\".modinfo\"),used,aligned(1))) = \"$2\";"$'\n'
            shift 2 ;;
        export)
            # The string names the symbol in __ksymtab_strings; the absolute __crc_ symbol
            # carries its CRC (how modversions kernels before 5.x marked exports).
            body+="static const char ks_$n[] __attribute__((section(\"__ksymtab_strings\"),used,aligned(1))) = \"$2\";"$'\n'
            body+="__asm__(\".globl __crc_$2\\n.set __crc_$2, $3\\n\");"$'\n'
            shift 3 ;;
        need)
            body+="extern int $2(void); int (*const use_$n)(void) __attribute__((used)) = $2;"$'\n'
            shift 2 ;;
        weak)
            body+="extern int $2(void) __attribute__((weak)); int (*const use_$n)(void) __attribute__((used)) = $2;"$'\n'
            shift 2 ;;
        version)
            body+="static const struct { unsigned long crc; char name[56]; } ver_$n __attribute__((section(\"__versions\"),used,aligned(8))) = { $3, \"$2\" };"$'\n'
            shift 3 ;;
        nomodinfo)
            modinfo=0
            shift ;;
        *)
            echo "make_module: unknown item $1" >&2
            rm -f "$src"
            return 2 ;;
        esac
    done
    if ((modinfo)) && [[ $body != *'.modinfo'* ]]; then
        body+="static const char mi_license[] __attribute__((section(\".modinfo\"),used,aligned(1))) = \"license=GPL\";"$'\n'
    fi
    printf '%s' "$body" > "$src"
    mkdir -p "$(dirname "$out")"
    gcc -c -O0 -fno-pic -w -o "$out" "$src" || { rm -f "$src"; return 1; }
    rm -f "$src"
}
