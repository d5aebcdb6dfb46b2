// Name resolution as libkmod's kmod_module_new_from_lookup() does it (kmod spec §3.4): a name
// or alias becomes a list of modules, from the first source that yields anything:
//   1. config aliases (modprobe.d), fnmatch, all matches
//   2. modules.dep.bin, exact name (skipped when the name contains ':')
//   3. modules.symbols.bin, wildcard, only for "symbol:..." names
//   4. install/remove commands with exactly that name (pseudo-modules)
//   5. modules.alias.bin, wildcard, in priority order
//   6. modules.builtin.bin, exact name -> built-in module
//   7. modules.builtin.alias.bin, wildcard -> built-in modules
// Index files are opened lazily and kept open for the lifetime of the ModuleLookup.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "kmod/index_reader.h"

namespace ringside::kmod {

// An "alias PATTERN MODULE" line from modprobe.d (pattern already normalized).
struct LookupAlias {
    std::string pattern;
    std::string module;
};

struct LookupContext {
    std::string module_directory;                  // e.g. /lib/modules/6.1.0-56-amd64 (absolute)
    std::vector<LookupAlias> config_aliases;       // kmod's modinfo reads no config: leave empty
    std::vector<std::string> command_modules;      // names with an install or remove command
};

enum class LookupSource { ConfigAlias, Dependency, Symbol, Command, Alias, Builtin, BuiltinAlias };

const char* lookup_source_name(LookupSource source);

struct ResolvedModule {
    std::string name;                       // module name ('_' form)
    std::optional<std::string> path;        // from modules.dep: absolute path; none if not listed
    std::vector<std::string> dependencies;  // from modules.dep: absolute paths, in line order
    bool builtin = false;                   // known built-in (found through a builtin index)
    bool command = false;                   // an install/remove pseudo-module (no file)
    LookupSource source = LookupSource::Dependency;
};

// '-' becomes '_' except inside [...] (alias_normalize); an unbalanced bracket is an error.
Result<std::string> normalize_alias(std::string_view alias);
// '-' becomes '_', cut at the first '.' (modname_normalize).
std::string normalize_module_name(std::string_view name);
// The module name of a file path: basename up to its first '.', normalized (path_to_modname).
std::string module_name_from_path(std::string_view path);

class ModuleLookup {
public:
    explicit ModuleLookup(LookupContext context);
    ~ModuleLookup();
    ModuleLookup(ModuleLookup&&) noexcept;
    ModuleLookup& operator=(ModuleLookup&&) noexcept;

    const LookupContext& context() const { return m_context; }

    // The full order above (modprobe, modinfo without -m). An empty list means not found.
    // A missing modules.alias.bin is an error as in kmod (which then never reaches step 6/7).
    Result<std::vector<ResolvedModule>> lookup(std::string_view name);

    // Steps 2, 6, 7 only (modinfo -m, kmod_module_new_from_name_lookup): at most one module.
    Result<std::optional<ResolvedModule>> lookup_module_name(std::string_view name);

    // modules.dep.bin for one module name: its path and dependencies, or nullopt.
    Result<std::optional<ResolvedModule>> find_dependency_line(std::string_view name);

    // Whether modules.builtin.bin lists the name.
    Result<bool> is_builtin(std::string_view name);

private:
    struct Indexes;

    Result<std::vector<ResolvedModule>> from_wildcard_index(int which, std::string_view name, LookupSource source,
        bool required);
    void fill_path(ResolvedModule& module);

    LookupContext m_context;
    std::unique_ptr<Indexes> m_indexes;
};

}  // namespace ringside::kmod
