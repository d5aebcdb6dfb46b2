#include "kmod/modprobe_config.h"

#include <algorithm>
#include <cctype>
#include <dirent.h>
#include <fnmatch.h>
#include <map>
#include <sys/stat.h>

#include "base/mapped_file.h"

namespace ringside::kmod {

namespace {

bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

// kmod splits physical lines on '\n' only and joins a line ending in a backslash with the
// next one; a backslash before anything else stays as it is.
std::vector<std::pair<std::string, unsigned>> logical_lines(std::string_view text)
{
    std::vector<std::pair<std::string, unsigned>> lines;
    std::string current;
    unsigned line_number = 0;
    std::size_t i = 0;
    bool pending = false;
    while (i < text.size()) {
        char c = text[i++];
        pending = true;
        if (c == '\n') {
            ++line_number;
            lines.emplace_back(std::move(current), line_number);
            current.clear();
            pending = false;
        } else if (c == '\\' && i < text.size() && text[i] == '\n') {
            ++i;
            ++line_number;
        } else {
            current.push_back(c);
        }
    }
    if (pending && !current.empty())
        lines.emplace_back(std::move(current), line_number + 1);
    return lines;
}

// strtok-style: skip leading blanks, take up to the next blank.
std::string_view next_word(std::string_view& rest)
{
    std::size_t start = 0;
    while (start < rest.size() && is_blank(rest[start]))
        ++start;
    std::size_t end = start;
    while (end < rest.size() && !is_blank(rest[end]))
        ++end;
    std::string_view word = rest.substr(start, end - start);
    rest = rest.substr(std::min(end + 1, rest.size()));
    return word;
}

bool matches(const std::string& pattern, std::string_view name)
{
    std::string subject(name);
    return ::fnmatch(pattern.c_str(), subject.c_str(), 0) == 0;
}

void softdep_words(std::string_view text, ConfigSoftdep& dep)
{
    enum class Mode { None, Pre, Post } mode = Mode::None;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
        std::size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
        std::string_view word = text.substr(start, i - start);
        if (word.empty())
            continue;
        if (word == "pre:")
            mode = Mode::Pre;
        else if (word == "post:")
            mode = Mode::Post;
        else if (mode == Mode::Pre)
            dep.pre.emplace_back(word);
        else if (mode == Mode::Post)
            dep.post.emplace_back(word);
        // words before the first "pre:" or "post:" mean nothing to kmod
        if (mode != Mode::None && word != "pre:" && word != "post:")
            dep.in_line_order.emplace_back(mode == Mode::Pre, word);
    }
}

void add_diagnostic(ModprobeConfig& config, const std::string& file, unsigned line, std::string message)
{
    config.diagnostics.push_back({ file, line, std::move(message) });
}

}  // namespace

std::optional<std::string> normalize_config_name(std::string_view name)
{
    std::string out(name);
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == '-') {
            out[i] = '_';
        } else if (out[i] == ']') {
            return std::nullopt;
        } else if (out[i] == '[') {
            std::size_t close = out.find(']', i + 1);
            if (close == std::string::npos)
                return std::nullopt;
            i = close;
        }
    }
    return out;
}

void parse_config_text(ModprobeConfig& config, std::string_view text, const std::string& file_name)
{
    for (auto& numbered : logical_lines(text)) {
        // Not a structured binding: clang 14 (the fuzz build) cannot capture those in lambdas.
        const std::string& line = numbered.first;
        unsigned number = numbered.second;
        if (line.empty() || line[0] == '#')
            continue;
        std::string_view rest = line;
        std::string_view command = next_word(rest);
        if (command.empty())
            continue;
        auto bad_line = [&] {
            add_diagnostic(config, file_name, number,
                "ignoring bad line starting with '" + std::string(command) + "'");
        };
        auto name_word = [&](std::string_view word) -> std::optional<std::string> {
            if (word.empty())
                return std::nullopt;
            auto normalized = normalize_config_name(word);
            if (!normalized)
                add_diagnostic(config, file_name, number, "unmatched bracket in '" + std::string(word) + "'");
            return normalized;
        };

        if (command == "alias") {
            std::string_view pattern = next_word(rest);
            std::string_view module = next_word(rest);
            if (pattern.empty() || module.empty()) {
                bad_line();
                continue;
            }
            auto p = name_word(pattern);
            auto m = name_word(module);
            if (p && m)
                config.aliases.push_back({ *p, *m });
        } else if (command == "blacklist") {
            std::string_view module = next_word(rest);
            if (module.empty()) {
                bad_line();
                continue;
            }
            if (auto m = name_word(module))
                config.blacklist.push_back(*m);
        } else if (command == "options" || command == "install" || command == "remove" || command == "softdep") {
            std::string_view module = next_word(rest);
            // The rest after the one separator that ended the name, verbatim: kmod keeps
            // even further leading blanks.
            std::string_view value = rest;
            if (module.empty() || value.empty()) {
                bad_line();
                continue;
            }
            auto m = name_word(module);
            if (!m)
                continue;
            if (command == "options") {
                std::string options(value);
                std::replace(options.begin(), options.end(), '\t', ' ');
                config.options.push_back({ *m, std::move(options) });
            } else if (command == "install") {
                config.install.push_back({ *m, std::string(value) });
            } else if (command == "remove") {
                config.remove.push_back({ *m, std::string(value) });
            } else {
                ConfigSoftdep dep { *m, {}, {}, {} };
                softdep_words(value, dep);
                config.softdeps.push_back(std::move(dep));
            }
        } else if (command == "include" || command == "config") {
            add_diagnostic(config, file_name, 0,
                "command " + std::string(command) + " is deprecated and not parsed anymore");
        } else {
            bad_line();
        }
    }
}

// A state machine over the command line, as the kernel splits it: blanks separate tokens
// unless inside double quotes that belong to a value, and a token counts only in the form
// module.param[=value] with exactly one dot before the '='. A token wholly in quotes
// ("mod.p=a b", as some boot loaders write it) is re-quoted as p="a b".
void parse_kernel_cmdline(ModprobeConfig& config, std::string_view cmdline)
{
    enum class State { Module, Param, Value, Ignore };
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };

    std::size_t i = 0;
    while (i < cmdline.size()) {
        while (i < cmdline.size() && is_space(cmdline[i]))
            ++i;
        if (i >= cmdline.size())
            break;
        State state = State::Module;
        bool quoted = false;
        bool leading_quote = false;
        std::string module, param, value;
        bool has_param = false, has_value = false;
        if (cmdline[i] == '"') {
            leading_quote = true;
            quoted = true;
            ++i;
        }
        for (; i < cmdline.size(); ++i) {
            char c = cmdline[i];
            if (c == '"') {
                quoted = !quoted;
                if (state == State::Value)
                    value.push_back(c);
                else
                    state = State::Ignore;
                continue;
            }
            if (is_space(c) && !(quoted && (state == State::Value || leading_quote)))
                break;
            switch (state) {
            case State::Module:
                if (c == '.') {
                    state = State::Param;
                    has_param = true;
                } else if (c == '=') {
                    state = State::Ignore;
                } else {
                    module.push_back(c);
                }
                break;
            case State::Param:
                if (c == '=') {
                    state = State::Value;
                    has_value = true;
                } else if (c == '.') {
                    state = State::Ignore;
                } else {
                    param.push_back(c);
                }
                break;
            case State::Value:
                value.push_back(c);
                break;
            case State::Ignore:
                break;
            }
        }
        if (state == State::Ignore || !has_param)
            continue;
        if (leading_quote) {
            // The closing quote ended up at the end of the value; without a value the
            // token is not one kmod accepts.
            if (!has_value)
                continue;
            value = "\"" + value;
        }
        if (module == "modprobe" && has_value && param == "blacklist") {
            std::size_t start = 0;
            while (true) {
                std::size_t comma = value.find(',', start);
                config.blacklist.push_back(value.substr(start, comma - start));
                if (comma == std::string::npos)
                    break;
                start = comma + 1;
            }
            continue;
        }
        std::string options = has_value ? param + "=" + value : param;
        auto normalized = normalize_config_name(module);
        config.options.push_back({ normalized ? *normalized : module, std::move(options) });
    }
}

std::vector<std::string> default_config_paths()
{
    return { "/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/lib/modprobe.d" };
}

std::vector<ConfigFile> list_config_files(const std::vector<std::string>& paths, const std::string& module_dir,
    std::vector<ConfigDiagnostic>& diagnostics)
{
    std::map<std::string, std::string> by_name;  // sorted by name; the first path wins
    auto offer = [&](const std::string& name, const std::string& path) { by_name.emplace(name, path); };

    for (const std::string& path : paths) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0)
            continue;
        if (S_ISREG(st.st_mode)) {
            auto slash = path.rfind('/');
            offer(slash == std::string::npos ? path : path.substr(slash + 1), path);
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            diagnostics.push_back({ path, 0, "unsupported file type (not a file or a directory)" });
            continue;
        }
        DIR* dir = ::opendir(path.c_str());
        if (!dir) {
            diagnostics.push_back({ path, 0, "cannot open directory" });
            continue;
        }
        std::vector<std::string> names;
        while (const dirent* entry = ::readdir(dir)) {
            std::string name = entry->d_name;
            if (name.empty() || name[0] == '.')
                continue;
            auto ends_with = [&](std::string_view suffix) {
                return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
            };
            if (name.size() < 6 || !(ends_with(".conf") || ends_with(".alias")))
                continue;
            names.push_back(std::move(name));
        }
        ::closedir(dir);
        for (const std::string& name : names) {
            std::string full = path + "/" + name;
            struct stat entry_stat {};
            if (::stat(full.c_str(), &entry_stat) == 0 && S_ISDIR(entry_stat.st_mode)) {
                diagnostics.push_back({ full, 0, "directories inside directories are not supported" });
                continue;
            }
            offer(name, full);
        }
    }
    if (!module_dir.empty()) {
        std::string softdep = module_dir + "/modules.softdep";
        struct stat st {};
        if (::stat(softdep.c_str(), &st) == 0 && S_ISREG(st.st_mode))
            offer("modules.softdep", softdep);
    }

    std::vector<ConfigFile> files;
    for (auto& [name, path] : by_name)
        files.push_back({ name, path });
    return files;
}

ModprobeConfig load_modprobe_config(const ConfigSources& sources)
{
    ModprobeConfig config;
    for (const ConfigFile& file : list_config_files(sources.paths, sources.module_dir, config.diagnostics)) {
        auto text = read_small_file(file.path);
        if (!text) {
            config.diagnostics.push_back({ file.path, 0, text.error().message });
            continue;
        }
        config.files.push_back(file.path);
        parse_config_text(config, *text, file.path);
    }
    if (!sources.cmdline_path.empty()) {
        if (auto cmdline = read_small_file(sources.cmdline_path, 1u << 16))
            parse_kernel_cmdline(config, *cmdline);
    }
    return config;
}

bool ModprobeConfig::is_blacklisted(std::string_view module) const
{
    return std::find(blacklist.begin(), blacklist.end(), module) != blacklist.end();
}

const ConfigCommand* ModprobeConfig::install_command(std::string_view module) const
{
    for (const ConfigCommand& entry : install)
        if (matches(entry.module, module))
            return &entry;
    return nullptr;
}

const ConfigCommand* ModprobeConfig::remove_command(std::string_view module) const
{
    for (const ConfigCommand& entry : remove)
        if (matches(entry.module, module))
            return &entry;
    return nullptr;
}

const ConfigSoftdep* ModprobeConfig::softdep(std::string_view module) const
{
    for (const ConfigSoftdep& entry : softdeps)
        if (matches(entry.module, module))
            return &entry;
    return nullptr;
}

std::string ModprobeConfig::options_for(std::string_view module, std::string_view alias) const
{
    std::string joined;
    for (const ConfigOptions& entry : options) {
        if (entry.module != module && (alias.empty() || entry.module != alias))
            continue;
        if (!joined.empty())
            joined += ' ';
        joined += entry.options;
    }
    return joined;
}

std::string format_config_dump(const ModprobeConfig& config)
{
    std::string out;
    for (const std::string& name : config.blacklist)
        out += "blacklist " + name + "\n";
    for (const ConfigCommand& entry : config.install)
        out += "install " + entry.module + " " + entry.command + "\n";
    for (const ConfigCommand& entry : config.remove)
        out += "remove " + entry.module + " " + entry.command + "\n";
    for (const ConfigAlias& entry : config.aliases)
        out += "alias " + entry.pattern + " " + entry.module + "\n";
    for (const ConfigOptions& entry : config.options)
        out += "options " + entry.module + " " + entry.options + "\n";
    for (const ConfigSoftdep& entry : config.softdeps) {
        // kmod writes "pre: a b" and "post: c" back to back, without a space between them;
        // reproduced so that `modprobe -c` output stays comparable.
        out += "softdep " + entry.module + " ";
        auto list = [&](const char* label, bool pre) {
            const auto& words = entry.in_line_order;
            std::size_t first = words.size(), last = 0;
            for (std::size_t i = 0; i < words.size(); ++i)
                if (words[i].first == pre) {
                    first = std::min(first, i);
                    last = i;
                }
            if (first == words.size())
                return;
            out += label;
            for (std::size_t i = first; i <= last; ++i)
                out += (i == first ? "" : " ") + words[i].second;
        };
        list("pre: ", true);
        list("post: ", false);
        out += "\n";
    }
    return out;
}

}  // namespace ringside::kmod
