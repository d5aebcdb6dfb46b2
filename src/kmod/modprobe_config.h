// modprobe.d configuration: the directives (alias, options, install, remove, blacklist,
// softdep), the directories and their precedence, and the kernel command line
// (modprobe.blacklist=, module.param=value). Parsing never stops at a bad line: like kmod,
// every problem becomes a diagnostic and the rest of the file still counts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringside::kmod {

struct ConfigAlias {
    std::string pattern;  // fnmatch pattern, underscore-normalized
    std::string module;
};

struct ConfigOptions {
    std::string module;   // a module name or an alias pattern, as written (normalized)
    std::string options;  // the rest of the line, TABs turned into spaces
};

struct ConfigCommand {
    std::string module;   // fnmatch pattern
    std::string command;  // the rest of the line, verbatim
};

struct ConfigSoftdep {
    std::string module;  // fnmatch pattern
    std::vector<std::string> pre;
    std::vector<std::string> post;
    // Every pre and post name in line order (true = pre). kmod's dump prints each list as the
    // run of names from its first to its last entry, including the other list's names in
    // between, because it copies a contiguous buffer; `modprobe -c` reproduces that.
    std::vector<std::pair<bool, std::string>> in_line_order;
};

struct ConfigDiagnostic {
    std::string file;
    unsigned line = 0;  // 0: not about one line
    std::string message;
};

// Everything in the order the files were read, then the kernel command line.
struct ModprobeConfig {
    std::vector<std::string> blacklist;
    std::vector<ConfigCommand> install;
    std::vector<ConfigCommand> remove;
    std::vector<ConfigAlias> aliases;
    std::vector<ConfigOptions> options;
    std::vector<ConfigSoftdep> softdeps;
    std::vector<std::string> files;  // the files parsed, in order
    std::vector<ConfigDiagnostic> diagnostics;

    bool is_blacklisted(std::string_view module) const;
    // The first install/remove/softdep entry whose pattern matches (kmod uses only the first).
    const ConfigCommand* install_command(std::string_view module) const;
    const ConfigCommand* remove_command(std::string_view module) const;
    const ConfigSoftdep* softdep(std::string_view module) const;
    // Every options line for the module or for the alias it was found through, joined by
    // spaces in config order.
    std::string options_for(std::string_view module, std::string_view alias = {}) const;
};

// Every '-' becomes '_' except inside [...] character classes, as module names and alias
// patterns are compared in that form. Returns nullopt on an unmatched bracket.
std::optional<std::string> normalize_config_name(std::string_view name);

// Parses one file's text into `config`; `file_name` names it in diagnostics.
void parse_config_text(ModprobeConfig& config, std::string_view text, const std::string& file_name);

// The kernel command line: `modprobe.blacklist=a,b` and `module.param=value` tokens.
void parse_kernel_cmdline(ModprobeConfig& config, std::string_view cmdline);

// kmod 30's default search list, most important first.
std::vector<std::string> default_config_paths();

struct ConfigFile {
    std::string name;  // what decides the order and the precedence
    std::string path;
};

// The files to parse: every *.conf (and *.alias) of every directory, plus single files given
// directly, sorted by name; the first directory providing a name wins. `module_dir`, when not
// empty, contributes its modules.softdep as if it were a config file of that name.
std::vector<ConfigFile> list_config_files(const std::vector<std::string>& paths, const std::string& module_dir,
    std::vector<ConfigDiagnostic>& diagnostics);

struct ConfigSources {
    std::vector<std::string> paths = default_config_paths();
    std::string module_dir;                          // for modules.softdep; may be empty
    std::string cmdline_path = "/proc/cmdline";      // empty: no kernel command line
};

ModprobeConfig load_modprobe_config(const ConfigSources& sources);

// `modprobe -c`'s first part: every directive in kmod's order and spelling (including its
// missing space before "post:" when a softdep has both lists).
std::string format_config_dump(const ModprobeConfig& config);

}  // namespace ringside::kmod
