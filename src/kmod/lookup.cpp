#include "kmod/lookup.h"

#include <array>
#include <fnmatch.h>
#include <unistd.h>

namespace ringside::kmod {

namespace {

enum IndexId { dep_index, symbols_index, alias_index, builtin_index, builtin_alias_index, index_count };

constexpr const char* index_file_names[index_count] = {
    "modules.dep.bin",
    "modules.symbols.bin",
    "modules.alias.bin",
    "modules.builtin.bin",
    "modules.builtin.alias.bin",
};

// "kernel/fs/fat/vfat.ko: kernel/fs/fat/fat.ko" -> path and dependencies, made absolute
// against the module directory unless already absolute.
void parse_dependency_line(std::string_view line, const std::string& directory, ResolvedModule& module)
{
    auto absolute = [&](std::string_view path) {
        if (!path.empty() && path.front() == '/')
            return std::string(path);
        std::string full = directory;
        full += '/';
        full += path;
        return full;
    };
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos)
        return;
    module.path = absolute(line.substr(0, colon));
    std::string_view rest = line.substr(colon + 1);
    std::size_t at = 0;
    while (at < rest.size()) {
        std::size_t start = rest.find_first_not_of(" \t", at);
        if (start == std::string_view::npos)
            break;
        std::size_t end = rest.find_first_of(" \t", start);
        if (end == std::string_view::npos)
            end = rest.size();
        module.dependencies.push_back(absolute(rest.substr(start, end - start)));
        at = end;
    }
}

}  // namespace

struct ModuleLookup::Indexes {
    // Each index is tried once; a missing file stays missing for this lookup's lifetime.
    std::array<bool, index_count> tried {};
    std::array<std::optional<IndexReader>, index_count> readers;
    std::array<std::optional<Error>, index_count> errors;
};

const char* lookup_source_name(LookupSource source)
{
    switch (source) {
    case LookupSource::ConfigAlias: return "config alias";
    case LookupSource::Dependency: return "modules.dep";
    case LookupSource::Symbol: return "modules.symbols";
    case LookupSource::Command: return "install/remove command";
    case LookupSource::Alias: return "modules.alias";
    case LookupSource::Builtin: return "modules.builtin";
    case LookupSource::BuiltinAlias: return "modules.builtin.alias";
    }
    return "unknown";
}

Result<std::string> normalize_alias(std::string_view alias)
{
    std::string out;
    out.reserve(alias.size());
    for (std::size_t i = 0; i < alias.size(); ++i) {
        char c = alias[i];
        if (c == '\0')
            break;
        if (c == '-') {
            out.push_back('_');
        } else if (c == ']') {
            return Error { ErrorKind::InvalidArgument, "alias '" + std::string(alias) + "': unmatched ']'" };
        } else if (c == '[') {
            std::size_t close = alias.find(']', i);
            if (close == std::string_view::npos)
                return Error { ErrorKind::InvalidArgument, "alias '" + std::string(alias) + "': unmatched '['" };
            out.append(alias.substr(i, close - i + 1));
            i = close;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string normalize_module_name(std::string_view name)
{
    std::string out;
    out.reserve(name.size());
    for (char c : name) {
        if (c == '\0' || c == '.')
            break;
        out.push_back(c == '-' ? '_' : c);
    }
    return out;
}

std::string module_name_from_path(std::string_view path)
{
    std::size_t slash = path.rfind('/');
    if (slash != std::string_view::npos)
        path.remove_prefix(slash + 1);
    return normalize_module_name(path);
}

ModuleLookup::ModuleLookup(LookupContext context)
    : m_context(std::move(context)), m_indexes(std::make_unique<Indexes>())
{
}

ModuleLookup::~ModuleLookup() = default;
ModuleLookup::ModuleLookup(ModuleLookup&&) noexcept = default;
ModuleLookup& ModuleLookup::operator=(ModuleLookup&&) noexcept = default;

namespace {

// Opens an index once; nullptr if the file is absent or unreadable (error kept in `errors`).
const IndexReader* open_index(const std::string& directory, int which, std::array<bool, index_count>& tried,
    std::array<std::optional<IndexReader>, index_count>& readers, std::array<std::optional<Error>, index_count>& errors)
{
    if (!tried[which]) {
        tried[which] = true;
        auto reader = IndexReader::open(directory + "/" + index_file_names[which]);
        if (reader)
            readers[which].emplace(std::move(reader).value());
        else
            errors[which] = std::move(reader).error();
    }
    return readers[which] ? &*readers[which] : nullptr;
}

}  // namespace

Result<std::optional<ResolvedModule>> ModuleLookup::find_dependency_line(std::string_view name)
{
    Indexes& x = *m_indexes;
    const IndexReader* index = open_index(m_context.module_directory, dep_index, x.tried, x.readers, x.errors);
    if (!index)
        return std::optional<ResolvedModule> {};  // kmod: no modules.dep.bin, nothing found
    std::optional<std::string> line = TRY(index->lookup(name));
    if (!line)
        return std::optional<ResolvedModule> {};
    ResolvedModule module;
    module.name = std::string(name);
    parse_dependency_line(*line, m_context.module_directory, module);
    module.source = LookupSource::Dependency;
    return std::optional<ResolvedModule>(std::move(module));
}

Result<bool> ModuleLookup::is_builtin(std::string_view name)
{
    Indexes& x = *m_indexes;
    const IndexReader* index = open_index(m_context.module_directory, builtin_index, x.tried, x.readers, x.errors);
    if (!index)
        return false;
    std::optional<std::string> found = TRY(index->lookup(name));
    return found.has_value();
}

void ModuleLookup::fill_path(ResolvedModule& module)
{
    if (module.path || module.builtin || module.command)
        return;
    auto line = find_dependency_line(module.name);
    if (line && *line) {
        module.path = std::move((*line)->path);
        module.dependencies = std::move((*line)->dependencies);
    }
}

Result<std::vector<ResolvedModule>> ModuleLookup::from_wildcard_index(int which, std::string_view name,
    LookupSource source, bool required)
{
    std::vector<ResolvedModule> found;
    Indexes& x = *m_indexes;
    const IndexReader* index = open_index(m_context.module_directory, which, x.tried, x.readers, x.errors);
    if (!index) {
        if (required)
            return *x.errors[which];
        return found;
    }
    std::vector<IndexValue> values = TRY(index->lookup_wildcard(name));
    for (IndexValue& value : values) {
        ResolvedModule module;
        module.name = std::move(value.value);
        module.source = source;
        module.builtin = source == LookupSource::BuiltinAlias;
        found.push_back(std::move(module));
    }
    return found;
}

Result<std::vector<ResolvedModule>> ModuleLookup::lookup(std::string_view given)
{
    std::string name = TRY(normalize_alias(given));
    std::vector<ResolvedModule> found;

    for (const LookupAlias& alias : m_context.config_aliases)
        if (::fnmatch(alias.pattern.c_str(), name.c_str(), 0) == 0) {
            ResolvedModule module;
            module.name = alias.module;
            module.source = LookupSource::ConfigAlias;
            found.push_back(std::move(module));
        }

    if (found.empty() && name.find(':') == std::string::npos) {
        auto module = TRY(find_dependency_line(name));
        if (module)
            found.push_back(std::move(*module));
    }

    if (found.empty() && name.rfind("symbol:", 0) == 0)
        found = TRY(from_wildcard_index(symbols_index, name, LookupSource::Symbol, true));

    if (found.empty())
        for (const std::string& command : m_context.command_modules)
            if (command == name) {
                ResolvedModule module;
                module.name = name;
                module.command = true;
                module.source = LookupSource::Command;
                found.push_back(std::move(module));
                break;
            }

    if (found.empty())
        found = TRY(from_wildcard_index(alias_index, name, LookupSource::Alias, true));

    if (found.empty() && TRY(is_builtin(name))) {
        ResolvedModule module;
        module.name = name;
        module.builtin = true;
        module.source = LookupSource::Builtin;
        found.push_back(std::move(module));
    }

    if (found.empty())
        found = TRY(from_wildcard_index(builtin_alias_index, name, LookupSource::BuiltinAlias, false));

    for (ResolvedModule& module : found)
        fill_path(module);
    return found;
}

Result<std::optional<ResolvedModule>> ModuleLookup::lookup_module_name(std::string_view given)
{
    std::string name = normalize_module_name(given);
    std::optional<ResolvedModule> module = TRY(find_dependency_line(name));
    if (module)
        return module;
    if (TRY(is_builtin(name))) {
        ResolvedModule builtin;
        builtin.name = name;
        builtin.builtin = true;
        builtin.source = LookupSource::Builtin;
        return std::optional<ResolvedModule>(std::move(builtin));
    }
    std::vector<ResolvedModule> aliased = TRY(from_wildcard_index(builtin_alias_index, name, LookupSource::BuiltinAlias, false));
    if (aliased.empty())
        return std::optional<ResolvedModule> {};
    fill_path(aliased.front());
    return std::optional<ResolvedModule>(std::move(aliased.front()));
}

}  // namespace ringside::kmod
