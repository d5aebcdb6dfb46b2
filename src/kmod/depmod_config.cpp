#include "kmod/depmod_config.h"

#include <algorithm>
#include <dirent.h>
#include <regex.h>
#include <sys/stat.h>

#include "base/mapped_file.h"
#include "base/text.h"

namespace ringside::kmod {

const char* depmod_level_name(DepmodLevel level)
{
    switch (level) {
    case DepmodLevel::Fatal:
        return "FATAL";
    case DepmodLevel::Error:
        return "ERROR";
    case DepmodLevel::Warning:
        return "WARNING";
    case DepmodLevel::Show:
        return "NOTICE";
    case DepmodLevel::Info:
        return "INFO";
    }
    return "INFO";
}

void DepmodConfig::add_default_search()
{
    if (searches.empty())
        searches.insert(searches.begin(), DepmodSearch { DepmodSearch::Kind::Path, "updates" });
}

const std::vector<std::string>& default_depmod_config_paths()
{
    static const std::vector<std::string> paths = { "/etc/depmod.d", "/run/depmod.d", "/usr/local/lib/depmod.d",
        "/lib/depmod.d" };
    return paths;
}

namespace {

// "*" matches every version (the old syntax); anything else is a POSIX extended regex that
// must match somewhere in the version. A regex that does not compile matches nothing.
bool kernel_matches(const std::string& pattern, const std::string& kernel_version)
{
    if (pattern == "*")
        return true;
    regex_t re;
    if (::regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool matched = ::regexec(&re, kernel_version.c_str(), 0, nullptr, 0) == 0;
    ::regfree(&re);
    return matched;
}

// kmod's line reader: a backslash-newline joins lines, a backslash before anything else is
// dropped. Returns the logical line and the number of the last physical line it used.
struct LogicalLine {
    std::string text;
    unsigned line_number;
};

std::vector<LogicalLine> logical_lines(std::string_view text)
{
    std::vector<LogicalLine> lines;
    unsigned number = 0;
    std::string current;
    bool have_content = false;
    for (std::size_t i = 0; i < text.size(); i++) {
        char c = text[i];
        if (c == '\n') {
            number++;
            lines.push_back({ std::move(current), number });
            current.clear();
            have_content = false;
            continue;
        }
        if (c == '\\' && i + 1 < text.size()) {
            i++;
            if (text[i] == '\n') {
                number++;
                continue;
            }
            current.push_back(text[i]);
            have_content = true;
            continue;
        }
        if (c == '\\')  // backslash at the very end: kmod stores EOF as byte 0xff
            c = static_cast<char>(0xff);
        current.push_back(c);
        have_content = true;
    }
    if (have_content || !current.empty()) {
        number++;
        lines.push_back({ std::move(current), number });
    }
    return lines;
}

std::vector<std::string> tokens(const std::string& line)
{
    std::vector<std::string> out;
    for (std::string_view field : split_blanks(line))
        out.emplace_back(field);
    return out;
}

}  // namespace

void parse_depmod_config(DepmodConfig& config, std::string_view text, const std::string& filename,
    const std::string& kernel_version, const DepmodLog& log)
{
    for (const LogicalLine& line : logical_lines(text)) {
        if (line.text.empty() || line.text[0] == '#')
            continue;
        std::vector<std::string> words = tokens(line.text);
        if (words.empty())
            continue;
        const std::string& command = words[0];
        std::string where = filename + ":" + std::to_string(line.line_number);
        auto bad_line = [&] { log(DepmodLevel::Error, where + ": ignoring bad line starting with '" + command + "'"); };
        if (command == "search") {
            for (std::size_t i = 1; i < words.size(); i++) {
                DepmodSearch search;
                if (words[i] == "built-in")
                    search.kind = DepmodSearch::Kind::BuiltIn;
                else if (words[i] == "external")
                    search.kind = DepmodSearch::Kind::External;
                else
                    search.path = words[i];
                config.searches.insert(config.searches.begin(), std::move(search));
            }
        } else if (command == "override") {
            if (words.size() < 4) {
                bad_line();
                continue;
            }
            if (!kernel_matches(words[2], kernel_version)) {
                log(DepmodLevel::Info, where + ": override kernel did not match " + words[2]);
                continue;
            }
            config.overrides.insert(config.overrides.begin(), words[3] + "/" + words[1]);
        } else if (command == "external") {
            if (words.size() < 3) {
                bad_line();
                continue;
            }
            if (!kernel_matches(words[1], kernel_version)) {
                log(DepmodLevel::Info, where + ": external directory did not match " + words[1]);
                continue;
            }
            config.externals.insert(config.externals.begin(), words[2]);
        } else if (command == "exclude") {
            for (std::size_t i = 1; i < words.size(); i++)
                config.excludes.insert(config.excludes.begin(), words[i]);
        } else if (command == "include" || command == "make_map_files") {
            log(DepmodLevel::Info, where + ": command " + command + " not implemented yet");
        } else {
            bad_line();
        }
    }
}

namespace {

struct ConfigFile {
    std::string name;
    std::string path;
};

void list_config_files(std::vector<ConfigFile>& files, const std::string& path, const DepmodLog& log)
{
    auto insert = [&](const std::string& name, const std::string& full) {
        // A name already listed from an earlier path shadows this one.
        if (std::any_of(files.begin(), files.end(), [&](const ConfigFile& f) { return f.name == name; }))
            return;
        files.push_back({ name, full });
    };
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        return;  // kmod only mentions missing paths at debug level
    if (!S_ISDIR(st.st_mode)) {
        auto slash = path.rfind('/');
        insert(slash == std::string::npos ? path : path.substr(slash + 1), path);
        return;
    }
    DIR* dir = ::opendir(path.c_str());
    if (!dir) {
        log(DepmodLevel::Error, "files list " + path + ": could not open directory");
        return;
    }
    std::vector<std::string> names;
    while (dirent* entry = ::readdir(dir))
        names.emplace_back(entry->d_name);
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
        if (name[0] == '.')
            continue;
        std::string full = path + "/" + name;
        if (name.size() < 6 || name.compare(name.size() - 5, 5, ".conf") != 0) {
            log(DepmodLevel::Info, "All cfg files need .conf: " + full);
            continue;
        }
        struct stat entry_st;
        if (::stat(full.c_str(), &entry_st) == 0 && S_ISDIR(entry_st.st_mode)) {
            log(DepmodLevel::Error, "Directories inside directories are not supported: " + full);
            continue;
        }
        insert(name, full);
    }
}

}  // namespace

DepmodConfig load_depmod_config(const std::vector<std::string>& paths, const std::string& kernel_version,
    const DepmodLog& log)
{
    std::vector<ConfigFile> files;
    for (const std::string& path : paths)
        list_config_files(files, path, log);
    std::stable_sort(files.begin(), files.end(), [](const ConfigFile& a, const ConfigFile& b) { return a.name < b.name; });
    DepmodConfig config;
    for (const ConfigFile& file : files) {
        auto text = read_small_file(file.path);
        if (!text) {
            log(DepmodLevel::Error, "could not open '" + file.path + "' for reading");
            continue;
        }
        parse_depmod_config(config, *text, file.path, kernel_version, log);
    }
    config.add_default_search();
    return config;
}

}  // namespace ringside::kmod
