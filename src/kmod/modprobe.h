// modprobe: names and aliases resolved to modules (lookup.h, with modprobe.d's aliases), then
// loaded with their dependencies and soft dependencies in kmod's order, or removed with
// them; or only shown (--show-depends, -R, -c). The engine prints nothing itself: actions
// (what kmod prints on stdout) and messages go to the callbacks in ModprobeOutput.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "kmod/kernel_state.h"
#include "kmod/lookup.h"
#include "kmod/modprobe_config.h"

namespace ringside::kmod {

// Fatal as in kmod: the tool stops at once when such a message is printed (not with -q).
// Detail lines follow an Error and explain it.
enum class ModprobeLevel { Fatal, Error, Warning, Notice, Info, Debug, Detail };

struct ModprobeOutput {
    std::function<void(const std::string& line)> action;  // stdout lines
    std::function<void(ModprobeLevel level, const std::string& text)> message;
};

struct ModprobeSettings {
    std::string root;     // -d: module dir = root + /lib/modules/ + release
    std::string release;  // -S; empty = uname -r
    std::vector<std::string> config_paths;  // -C; empty = default_config_paths()
    std::string cmdline_path = "/proc/cmdline";
    KernelPaths kernel;

    bool all = false;             // -a
    bool remove = false;          // -r
    bool remove_holders = false;  // --remove-holders
    bool first_time = false;      // --first-time
    bool ignore_commands = false; // -i: install/remove commands and softdeps of the named module
    bool use_blacklist = false;   // -b
    bool force_vermagic = false;
    bool force_modversion = false;
    bool dry_run = false;         // -n
    bool show_depends = false;    // -D: dry run, ignore what is loaded, print actions
    bool verbose = false;         // -v: print actions as they happen
    bool quiet = false;           // -q: not-found is not reported (status unchanged)
    unsigned wait_ms = 0;         // -w
};

class Modprobe {
public:
    // Reads modprobe.d and the kernel command line; the indexes are opened when first needed.
    Modprobe(ModprobeSettings settings, ModprobeOutput output);
    ~Modprobe();

    const std::string& module_dir() const { return m_module_dir; }
    const ModprobeConfig& config() const { return m_config; }

    // Insert (or remove with settings.remove) one name with its command-line options.
    // Returns false when the operation failed (the messages said why).
    bool run(const std::string& name, const std::vector<std::string>& params);

    // -R: the module names a name resolves to, printed as actions.
    bool resolve(const std::string& name);

    // -c: the configuration, then every key of modules.alias.bin and modules.symbols.bin.
    Result<std::string> show_config();

private:
    bool insert(const std::string& name, const std::string& extra_options);
    bool remove(const std::string& name);
    bool remove_one(const ResolvedModule& module, bool top);
    std::vector<ResolvedModule> resolve_softdeps(const std::vector<std::string>& names);
    bool is_builtin(const std::string& name);
    bool in_kernel(const std::string& name);
    int run_command(const std::string& command, const std::string& module, const std::string& options);
    std::vector<std::string> symbol_owners(const std::string& symbol);
    void say(ModprobeLevel level, const std::string& text);
    // kmod's LOG(): fatal, or a warning when -a asks to go on with the other names.
    void say_fatal(const std::string& text);
    void act(const std::string& line);

    ModprobeSettings m_settings;
    ModprobeOutput m_output;
    std::string m_module_dir;
    ModprobeConfig m_config;
    std::unique_ptr<ModuleLookup> m_lookup;
};

// kmod's error text for a failed insertion (modprobe wording).
std::string modprobe_error_text(int errnum);

}  // namespace ringside::kmod
