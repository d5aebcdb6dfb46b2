// The files depmod writes: their contents in kmod 30's formats and orders, and writing them
// so that a crash or a full disk never leaves a half-written set.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mapped_file.h"
#include "base/system_error.h"
#include "kmod/depmod_internal.h"
#include "kmod/hash_order.h"
#include "kmod/index_writer.h"

namespace ringside::kmod {

namespace {

// kmod's alias_normalize(): '-' becomes '_' except inside [...]; an unmatched bracket is an error.
std::optional<std::string> normalize_alias(std::string_view alias)
{
    std::string out;
    out.reserve(alias.size());
    for (std::size_t i = 0; i < alias.size(); i++) {
        char c = alias[i];
        if (c == '-') {
            out.push_back('_');
        } else if (c == ']') {
            return std::nullopt;
        } else if (c == '[') {
            std::size_t close = alias.find(']', i);
            if (close == std::string_view::npos)
                return std::nullopt;
            out.append(alias.substr(i, close - i + 1));
            i = close;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string dep_line(const State& state, std::size_t i)
{
    std::string line = state.modules[i].output_path + ":";
    if (state.modules[i].deps.empty())
        return line;
    for (std::size_t d : sorted_dependencies(state, i)) {
        line.push_back(' ');
        line += state.modules[d].output_path;
    }
    return line;
}

Result<void> insert(IndexWriter& index, std::string_view key, std::string_view value, std::uint32_t priority,
    bool& duplicate)
{
    auto added = index.add(key, value, priority);
    if (!added)
        return make_error(ErrorKind::InvalidArgument,
            "Module index: bad character in '" + std::string(key) + "' - only 7-bit ASCII is supported");
    duplicate = *added;
    return {};
}

struct Outputs {
    const State& state;
    const std::string& dir;
    const DepmodLog& log;
    bool warn_dups;
    IndexLayout layout;
    std::vector<std::string> dep_lines;

    std::string deps() const
    {
        std::string out;
        for (const std::string& line : dep_lines) {
            out += line;
            out.push_back('\n');
        }
        return out;
    }

    Result<std::string> deps_bin() const
    {
        IndexWriter index;
        for (std::size_t i = 0; i < state.modules.size(); i++) {
            bool dup = false;
            TRY_VOID(insert(index, state.modules[i].name, dep_lines[i], static_cast<std::uint32_t>(i), dup));
            if (dup && warn_dups)
                log(DepmodLevel::Warning, "duplicate module deps:\n" + dep_lines[i]);
        }
        return index.serialize(layout);
    }

    std::string aliases() const
    {
        std::string out = "# Aliases extracted from modules themselves.\n";
        for (const Module& m : state.modules)
            for (const auto& [key, value] : m.facts.modinfo)
                if (key == "alias")
                    out += "alias " + value + " " + m.name + "\n";
        return out;
    }

    Result<std::string> aliases_bin() const
    {
        IndexWriter index;
        for (std::size_t i = 0; i < state.modules.size(); i++) {
            const Module& m = state.modules[i];
            for (const auto& [key, value] : m.facts.modinfo) {
                if (key != "alias")
                    continue;
                auto alias = normalize_alias(value);
                if (!alias) {
                    log(DepmodLevel::Warning, "Unmatched bracket in " + value);
                    continue;
                }
                bool dup = false;
                TRY_VOID(insert(index, *alias, m.name, static_cast<std::uint32_t>(i), dup));
                if (dup && warn_dups)
                    log(DepmodLevel::Warning, "duplicate module alias:\n" + *alias + " " + m.name);
            }
        }
        return index.serialize(layout);
    }

    std::string softdeps() const
    {
        std::string out = "# Soft dependencies extracted from modules themselves.\n";
        for (const Module& m : state.modules)
            for (const auto& [key, value] : m.facts.modinfo)
                if (key == "softdep")
                    out += "softdep " + m.name + " " + value + "\n";
        return out;
    }

    // Owned symbols in kmod's hash-table order.
    std::vector<std::pair<std::string_view, std::size_t>> owned_symbols() const
    {
        std::vector<std::pair<std::string_view, std::size_t>> owned;
        for (const auto& [name, sym] : state.symbols)
            if (sym.owner != kernel_owner)
                owned.emplace_back(name, sym.owner);
        sort_in_hash_order(owned, symbol_hash_buckets, [](const auto& p) { return p.first; });
        return owned;
    }

    std::string symbols() const
    {
        std::string out = "# Aliases for symbols, used by symbol_request().\n";
        for (const auto& [name, owner] : owned_symbols()) {
            out += "alias symbol:";
            out += name;
            out += " " + state.modules[owner].name + "\n";
        }
        return out;
    }

    Result<std::string> symbols_bin() const
    {
        IndexWriter index;
        for (const auto& [name, owner] : owned_symbols()) {
            std::string key = "symbol:" + std::string(name);
            bool dup = false;
            TRY_VOID(insert(index, key, state.modules[owner].name, static_cast<std::uint32_t>(owner), dup));
            if (dup && warn_dups)
                log(DepmodLevel::Warning, "duplicate module syms:\n" + key + " " + state.modules[owner].name);
        }
        return index.serialize(layout);
    }

    // modules.builtin: one path per line; an empty file when it is missing, as kmod leaves it.
    Result<std::string> builtin_bin() const
    {
        auto text = read_tree_file(dir, "modules.builtin");
        if (!text)
            return std::string();
        IndexWriter index;
        std::string_view rest = *text;
        while (!rest.empty()) {
            std::size_t nl = rest.find('\n');
            std::size_t len = nl == std::string_view::npos ? rest.size() : nl + 1;
            std::string_view line = rest.substr(0, std::min<std::size_t>(len, 4095));
            rest.remove_prefix(line.size());
            line = line.substr(0, line.find('\0'));
            if (line.empty() || !std::isalpha(static_cast<unsigned char>(line[0]))) {
                log(DepmodLevel::Error, "Invalid modules.builtin line: " + std::string(line));
                continue;
            }
            bool dup = false;
            TRY_VOID(insert(index, depmod_detail::module_name_of(line), "", 0, dup));
        }
        return index.serialize(layout);
    }

    // modules.builtin.modinfo: NUL-separated "<module>.<key>=<value>" records. An empty file
    // when it is missing; an index (maybe with no keys) when it exists.
    Result<std::string> builtin_alias_bin() const
    {
        auto text = read_tree_file(dir, "modules.builtin.modinfo");
        if (!text)
            return std::string();
        std::vector<std::string_view> records;
        std::string_view rest = *text;
        while (!rest.empty()) {
            std::size_t nul = rest.find('\0');
            std::string_view record = rest.substr(0, nul);
            if (record.empty())
                break;  // kmod's iterator stops at an empty string
            records.push_back(record);
            if (nul == std::string_view::npos)
                break;
            rest.remove_prefix(nul + 1);
        }
        // Each module once, in order of first appearance (kmod finds a module met again in a
        // later group in its module cache and does not index it twice).
        std::vector<std::string_view> groups;
        for (std::string_view r : records) {
            std::string_view module = r.substr(0, r.find('.'));
            if (std::find(groups.begin(), groups.end(), module) == groups.end())
                groups.push_back(module);
        }
        std::unordered_map<std::string_view, std::vector<std::string_view>> aliases_of;
        for (std::string_view r : records) {
            std::size_t dot = r.find('.');
            if (dot == std::string_view::npos)
                continue;
            std::string_view keyvalue = r.substr(dot + 1);
            if (keyvalue.substr(0, 6) == "alias=")
                aliases_of[r.substr(0, dot)].push_back(keyvalue.substr(6));
        }
        IndexWriter index;
        for (std::string_view module : groups) {
            std::string name(module);
            for (std::string_view value : aliases_of[module]) {
                auto alias = normalize_alias(value);
                if (!alias) {
                    log(DepmodLevel::Warning, "Unmatched bracket in " + std::string(value));
                    continue;
                }
                bool dup = false;
                TRY_VOID(insert(index, *alias, name, 0, dup));
            }
        }
        return index.serialize(layout);
    }

    std::string devname() const
    {
        std::string out;
        for (const Module& m : state.modules) {
            std::optional<std::string> devname;
            char type = '\0';
            unsigned major = 0, minor = 0;
            for (const auto& [key, value] : m.facts.modinfo) {
                if (key != "alias")
                    continue;
                unsigned maj, min;
                if (value.compare(0, 8, "devname:") == 0) {
                    devname = value.substr(8);
                } else if (std::sscanf(value.c_str(), "char-major-%u-%u", &maj, &min) == 2) {
                    type = 'c';
                    major = maj;
                    minor = min;
                } else if (std::sscanf(value.c_str(), "block-major-%u-%u", &maj, &min) == 2) {
                    type = 'b';
                    major = maj;
                    minor = min;
                }
                if (type != '\0' && devname)
                    break;
            }
            if (!devname)
                continue;
            if (type == '\0') {
                log(DepmodLevel::Error, "Module '" + m.name + "' has devname (" + *devname
                        + ") but lacks major and minor information. Ignoring.");
                continue;
            }
            if (out.empty())
                out = "# Device nodes to trigger on-demand module loading.\n";
            out += m.name + " " + *devname + " " + type + std::to_string(major) + ":" + std::to_string(minor) + "\n";
        }
        return out;
    }

    std::optional<std::string> read_tree_file(const std::string& d, const std::string& name) const
    {
        std::string path = d + "/" + name;
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            log(DepmodLevel::Warning, "could not open " + name + " at " + d + ": " + std::strerror(errno));
            return std::nullopt;
        }
        ::close(fd);
        auto text = read_small_file(path, 1u << 30);
        if (!text)
            return std::nullopt;
        return std::move(*text);
    }
};

}  // namespace

Result<void> render_outputs(const State& state, const std::string& module_dir, std::vector<DepmodFile>& files)
{
    const DepmodRequest& request = *state.request;
    Outputs out { state, module_dir, *state.log, request.warn_duplicates, request.layout, {} };
    out.dep_lines.reserve(state.modules.size());
    for (std::size_t i = 0; i < state.modules.size(); i++)
        out.dep_lines.push_back(dep_line(state, i));
    // kmod's write order; -n prints only the text files, in this same order. Each .bin is
    // assigned after its entry exists: a TRY inside the braces would leak the name on error.
    files.push_back({ "modules.dep", out.deps() });
    if (!request.dry_run) {
        files.push_back({ "modules.dep.bin", {} });
        files.back().content = TRY(out.deps_bin());
    }
    files.push_back({ "modules.alias", out.aliases() });
    if (!request.dry_run) {
        files.push_back({ "modules.alias.bin", {} });
        files.back().content = TRY(out.aliases_bin());
    }
    files.push_back({ "modules.softdep", out.softdeps() });
    files.push_back({ "modules.symbols", out.symbols() });
    if (!request.dry_run) {
        files.push_back({ "modules.symbols.bin", {} });
        files.back().content = TRY(out.symbols_bin());
        files.push_back({ "modules.builtin.bin", {} });
        files.back().content = TRY(out.builtin_bin());
        files.push_back({ "modules.builtin.alias.bin", {} });
        files.back().content = TRY(out.builtin_alias_bin());
    }
    files.push_back({ "modules.devname", out.devname() });
    return {};
}

}  // namespace ringside::kmod
