# bash completion for ringside(1): tools, options, module names (from the module index files),
# loaded modules, kernel versions and PIDs. Installed as
# /usr/share/bash-completion/completions/ringside.

_ringside_tools="lsmod insmod rmmod modinfo modprobe depmod module pmap mem shared check leaks ring install"

_ringside_options_lsmod="--json --help"
_ringside_options_insmod="-f --force --force-vermagic --force-modversion -s --syslog -v --verbose -V --version -h --help"
_ringside_options_rmmod="-f --force -s --syslog -v --verbose -V --version -h --help"
_ringside_options_modinfo="-a --author -d --description -l --license -p --parameters -n --filename -0 --null -m --modname -F --field -k --set-version -b --basedir --json -V --version -h --help"
_ringside_options_modprobe="-a --all -r --remove --remove-holders -w --wait --first-time -i --ignore-install --ignore-remove -b --use-blacklist -f --force --force-modversion --force-vermagic -R --resolve-alias -D --show-depends -c --showconfig --show-config --show-modversions --show-exports -n --dry-run --show -C --config -d --dirname -S --set-version -s --syslog -q --quiet -v --verbose -V --version -h --help"
_ringside_options_depmod="-a --all -A --quick -b --basedir -C --config -E --symvers -F --filesyms -e --errsyms -n --show --dry-run -P --symbol-prefix -v --verbose -w --warn --cache= --no-cache --jobs= --index-layout= -V --version -h --help"
_ringside_options_module="-l --license -a --author -d --description -C --directory -h --help"
_ringside_options_pmap="-x --extended -X -XX -d --device -q --quiet -p --show-path -A --range --json -h --help"
_ringside_options_mem="-m --mappings -u --users -w --system -P --process -U --user -M --map -s --sort -r --reverse -k --abbreviate -p --percent -t --totals -H --no-header --json --prometheus --svg --watch -h --help"
_ringside_options_shared="--no-files --no-pages --json --svg -h --help"
_ringside_options_check="--log-file= --json= --sarif= --suppressions= --error-exitcode= --trace-children= --leak-check= --show-reachable --guard --guard-sample= --guard-max-rate= --quarantine-mb= --growth= --no-uninit --no-interceptors --keep-wire= --read= -h --help"
_ringside_options_leaks="--json --timeout= -h --help"
_ringside_options_ring="-j --json -o --only -l --list -h --help"
_ringside_options_install="-p --prefix -k --kmod-links -n --dry-run -h --help"

# The module directory the command line points at: -b/--basedir (modinfo, depmod) or
# -d/--dirname (modprobe) for the root, -k/-S/--set-version for the kernel release.
_ringside_module_dir()
{
    local root="" release i word next
    release=$(uname -r)
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        next=${COMP_WORDS[i + 1]}
        case $word in
            -b | --basedir | -d | --dirname) [[ $word == -b && $1 == modprobe ]] || root=$next ;;
            --basedir=* | --dirname=*) root=${word#*=} ;;
            -k | -S | --set-version) release=$next ;;
            --set-version=*) release=${word#*=} ;;
        esac
    done
    printf '%s/lib/modules/%s\n' "$root" "$release"
}

# Module names from modules.dep (every module file) and modules.builtin.
_ringside_module_names()
{
    local dir
    dir=$(_ringside_module_dir "$1")
    {
        [[ -r $dir/modules.dep ]] && sed -e 's/:.*//' -e 's|.*/||' -e 's/\.ko\(\.[a-z]*\)\{0,1\}$//' "$dir/modules.dep"
        [[ -r $dir/modules.builtin ]] && sed -e 's|.*/||' -e 's/\.ko$//' "$dir/modules.builtin"
    } 2>/dev/null | tr - _ | sort -u
}

_ringside_loaded_modules()
{
    [[ -r /proc/modules ]] && cut -d' ' -f1 /proc/modules
}

_ringside_pids()
{
    local entry
    printf '%s\n' self
    for entry in /proc/[0-9]*; do
        printf '%s\n' "${entry#/proc/}"
    done
}

_ringside_kernel_versions()
{
    local entry
    for entry in /lib/modules/*; do
        [[ -d $entry ]] && printf '%s\n' "${entry##*/}"
    done
}

_ringside_reply()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$1" -- "$2"))
}

_ringside_files()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$1"))
}

_ringside_dirs()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -d -- "$1"))
}

_ringside()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local command=${COMP_WORDS[0]##*/}
    local tool first
    COMPREPLY=()

    if [[ $command == ringside ]]; then
        if ((COMP_CWORD == 1)); then
            COMPREPLY=($(compgen -W "$_ringside_tools --help --version" -- "$cur"))
            return 0
        fi
        tool=${COMP_WORDS[1]}
        first=2
    else
        tool=$command  # called through a symlink named like the tool
        first=1
    fi

    local options_variable=_ringside_options_$tool
    local options=${!options_variable}

    # Values of options that take one.
    case $tool:$prev in
        modinfo:-b | modinfo:--basedir | depmod:-b | depmod:--basedir | modprobe:-d | modprobe:--dirname | install:-p | install:--prefix | module:-C | module:--directory)
            _ringside_dirs "$cur"; return 0 ;;
        modinfo:-k | modinfo:--set-version | modprobe:-S | modprobe:--set-version)
            _ringside_reply "$(_ringside_kernel_versions)" "$cur"; return 0 ;;
        modinfo:-F | modinfo:--field)
            COMPREPLY=($(compgen -W "alias author depends description filename firmware import_ns intree license name parm retpoline signature signer sig_hashalgo sig_id sig_key softdep srcversion vermagic" -- "$cur"))
            return 0 ;;
        modprobe:-C | modprobe:--config | depmod:-C | depmod:--config | depmod:-E | depmod:--symvers | depmod:-F | depmod:--filesyms | modprobe:--show-modversions | modprobe:--show-exports | mem:--svg | shared:--svg)
            _ringside_files "$cur"; return 0 ;;
        ring:-o | ring:--only)
            local probes
            probes=$("${COMP_WORDS[0]}" ring --list 2>/dev/null | awk 'NR > 1 { print $1 }')
            local prefix=""
            [[ $cur == *,* ]] && prefix=${cur%,*},
            COMPREPLY=($(compgen -P "$prefix" -W "$probes" -- "${cur##*,}"))
            return 0 ;;
        mem:-s | mem:--sort)
            COMPREPLY=($(compgen -W "pid user name swap swappss uss pss rss map pids size count" -- "$cur"))
            return 0 ;;
        mem:-P | mem:--process | mem:-U | mem:--user | mem:-M | mem:--map | mem:--watch | modprobe:-w | modprobe:--wait | pmap:-A | pmap:--range | module:-l | module:--license | module:-a | module:--author | module:-d | module:--description)
            return 0 ;;
    esac
    case $cur in
        --log-file=* | --json=* | --sarif=* | --suppressions=* | --keep-wire=* | --read=* | --cache=*)
            local IFS=$'\n'
            COMPREPLY=($(compgen -P "${cur%%=*}=" -f -- "${cur#*=}"))
            return 0 ;;
        --trace-children=* | --leak-check=*)
            COMPREPLY=($(compgen -P "${cur%%=*}=" -W "yes no" -- "${cur#*=}"))
            return 0 ;;
        --index-layout=*)
            COMPREPLY=($(compgen -P "--index-layout=" -W "kmod30 kmod34" -- "${cur#*=}"))
            return 0 ;;
        -*)
            COMPREPLY=($(compgen -W "$options" -- "$cur"))
            [[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2>/dev/null
            return 0 ;;
    esac

    # `check -- PROGRAM`: the program, then its own arguments as files.
    local i word removing=""
    for ((i = first; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        [[ $word == -r || $word == --remove ]] && removing=yes
        if [[ $tool == check && ( $word == -- || $word != -* ) ]]; then
            if ((i == COMP_CWORD - 1)) && [[ $word == -- ]]; then
                COMPREPLY=($(compgen -c -- "$cur"))
            else
                _ringside_files "$cur"
            fi
            return 0
        fi
    done

    case $tool in
        modinfo)
            if [[ $cur == */* || $cur == .* ]]; then _ringside_files "$cur"; else _ringside_reply "$(_ringside_module_names modinfo)" "$cur"; fi ;;
        modprobe)
            if [[ -n $removing ]]; then _ringside_reply "$(_ringside_loaded_modules)" "$cur"
            else _ringside_reply "$(_ringside_module_names modprobe)" "$cur"; fi ;;
        rmmod) _ringside_reply "$(_ringside_loaded_modules)" "$cur" ;;
        insmod) _ringside_files "$cur" ;;
        depmod) _ringside_reply "$(_ringside_kernel_versions)" "$cur" ;;
        pmap | mem | shared | leaks) _ringside_reply "$(_ringside_pids)" "$cur" ;;
        check) COMPREPLY=($(compgen -c -- "$cur")) ;;
        module) ((COMP_CWORD == first)) && COMPREPLY=($(compgen -W "new" -- "$cur")) ;;
    esac
    return 0
}

complete -F _ringside ringside
