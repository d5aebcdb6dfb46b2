#include "kmod/modprobe.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/wait.h>

#include "kmod/index_reader.h"

namespace ringside::kmod {

Modprobe::Modprobe(ModprobeSettings settings, ModprobeOutput output)
    : m_settings(std::move(settings)), m_output(std::move(output))
{
    std::string release = m_settings.release.empty() ? running_kernel_release() : m_settings.release;
    m_module_dir = m_settings.root + "/lib/modules/" + release;

    ConfigSources sources;
    if (!m_settings.config_paths.empty())
        sources.paths = m_settings.config_paths;
    sources.module_dir = m_module_dir;
    sources.cmdline_path = m_settings.cmdline_path;
    m_config = load_modprobe_config(sources);
    for (const ConfigDiagnostic& d : m_config.diagnostics)
        say(ModprobeLevel::Error, d.file + (d.line ? " line " + std::to_string(d.line) : "") + ": " + d.message);

    LookupContext context;
    context.module_directory = m_module_dir;
    for (const ConfigAlias& alias : m_config.aliases)
        context.config_aliases.push_back({ alias.pattern, alias.module });
    for (const ConfigCommand& command : m_config.install)
        context.command_modules.push_back(command.module);
    for (const ConfigCommand& command : m_config.remove)
        context.command_modules.push_back(command.module);
    m_lookup = std::make_unique<ModuleLookup>(std::move(context));
}

Modprobe::~Modprobe() = default;

void Modprobe::say(ModprobeLevel level, const std::string& text)
{
    if (m_output.message)
        m_output.message(level, text);
}

void Modprobe::say_fatal(const std::string& text)
{
    say(m_settings.all ? ModprobeLevel::Warning : ModprobeLevel::Fatal, text);
}

void Modprobe::act(const std::string& line)
{
    if (m_output.action)
        m_output.action(line);
}

bool Modprobe::run(const std::string& name, const std::vector<std::string>& params)
{
    if (m_settings.remove)
        return remove(name);
    std::string extra;
    for (const std::string& p : params) {
        if (!extra.empty())
            extra += ' ';
        extra += p;
    }
    return insert(name, extra);
}

bool Modprobe::resolve(const std::string& name)
{
    auto found = m_lookup->lookup(name);
    if (!found) {
        say(ModprobeLevel::Error, found.error().message);
        return false;
    }
    if (found->empty()) {
        say_fatal("Module " + name + " not found in directory " + m_module_dir);
        return false;
    }
    for (const ResolvedModule& module : *found)
        act(module.name);
    return true;
}

Result<std::string> Modprobe::show_config()
{
    std::string out = format_config_dump(m_config);
    out += "\n# End of configuration files. Dumping indexes now:\n\n";
    for (const char* file : { "modules.alias.bin", "modules.symbols.bin" }) {
        auto index = IndexReader::open(m_module_dir + "/" + file);
        if (!index)
            continue;  // kmod skips a missing index silently
        TRY_VOID(index->for_each([&](const IndexEntry& entry) {
            for (const IndexValue& value : entry.values)
                out += "alias " + entry.key + " " + value.value + "\n";
        }));
    }
    return out;
}

bool Modprobe::is_builtin(const std::string& name)
{
    auto builtin = m_lookup->is_builtin(name);
    return builtin && *builtin;
}

bool Modprobe::in_kernel(const std::string& name)
{
    return is_builtin(name) || module_state(m_settings.kernel, name) == ModuleState::Live;
}

std::vector<ResolvedModule> Modprobe::resolve_softdeps(const std::vector<std::string>& names)
{
    std::vector<ResolvedModule> modules;
    for (const std::string& name : names) {
        auto found = m_lookup->lookup(name);
        if (!found) {
            say(ModprobeLevel::Info, "soft dependency " + name + ": " + found.error().message);
            continue;
        }
        for (ResolvedModule& module : *found)
            modules.push_back(std::move(module));
    }
    return modules;
}

// install/remove commands run through /bin/sh with $CMDLINE_OPTS replaced by the options
// and MODPROBE_MODULE naming the module, as kmod does (via system()).
int Modprobe::run_command(const std::string& command, const std::string& module, const std::string& options)
{
    std::string text = command;
    const std::string marker = "$CMDLINE_OPTS";
    for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + options.size()))
        text.replace(at, marker.size(), options);
    ::setenv("MODPROBE_MODULE", module.c_str(), 1);
    int status = std::system(text.c_str());
    ::unsetenv("MODPROBE_MODULE");
    if (status == -1)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> Modprobe::symbol_owners(const std::string& symbol)
{
    std::vector<std::string> owners;
    auto index = IndexReader::open(m_module_dir + "/modules.symbols.bin");
    if (!index)
        return owners;
    auto found = index->lookup_wildcard("symbol:" + symbol);
    if (!found)
        return owners;
    for (const IndexValue& value : *found)
        owners.push_back(value.value);
    return owners;
}

std::string modprobe_error_text(int errnum)
{
    switch (errnum) {
    case EEXIST:
        return "Module already in kernel";
    case ENOENT:
        return "Unknown symbol in module, or unknown parameter (see dmesg)";
    default:
        return std::strerror(errnum);
    }
}

}  // namespace ringside::kmod
