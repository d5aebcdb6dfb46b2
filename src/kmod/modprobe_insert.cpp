// modprobe's insertion: the probe list in kmod's order, then each element loaded (or its
// install command run, or only shown).
#include <cerrno>
#include <functional>
#include <set>

#include "kmod/insmod.h"
#include "kmod/modprobe.h"

namespace ringside::kmod {

namespace {

struct ProbeEntry {
    std::string name;
    std::optional<std::string> path;
    std::string alias;            // the name requested, when the module was found through an alias
    bool ignore_command = false;  // -i, or the module has soft dependencies (kmod quirk, issue #446)
    bool softdep = false;         // pulled in as a soft dependency: its failure is not fatal
};

bool found_through_alias(LookupSource source)
{
    return source == LookupSource::ConfigAlias || source == LookupSource::Symbol || source == LookupSource::Alias
        || source == LookupSource::BuiltinAlias;
}

// kmod joins the configured options and the command line's with one space, and keeps that
// space even when the command line adds nothing: "insmod fat.ko codepage=437 " is its output.
std::string joined_options(const std::string& config_options, const std::string& extra)
{
    if (config_options.empty())
        return extra;
    return config_options + " " + extra;
}

}  // namespace

bool Modprobe::insert(const std::string& requested, const std::string& extra)
{
    auto found = m_lookup->lookup(requested);
    if (!found) {
        say(ModprobeLevel::Error, found.error().message);
        return false;
    }
    if (found->empty()) {
        say_fatal("Module " + requested + " not found in directory " + m_module_dir);
        return false;
    }
    std::string alias = normalize_alias(requested).value_or(requested);
    bool dry_run = m_settings.dry_run || m_settings.show_depends;
    bool show = m_settings.show_depends || m_settings.verbose;

    for (const ResolvedModule& top : *found) {
        if (!m_settings.show_depends && in_kernel(top.name)) {
            if (m_settings.first_time) {
                say(ModprobeLevel::Error, "could not insert '" + top.name + "': " + modprobe_error_text(EEXIST));
                return false;
            }
            continue;
        }
        bool via_alias = found_through_alias(top.source);
        if (m_config.is_blacklisted(top.name) && (via_alias || m_settings.use_blacklist))
            continue;

        // kmod's probe list: each dependency (load order) between its own soft dependencies,
        // then the module between its soft dependencies. A module met again as a soft
        // dependency is not expanded twice; a dependency may appear more than once.
        std::vector<ProbeEntry> list;
        std::set<std::string> visited;
        std::function<void(const ResolvedModule&, bool, bool)> probe_list;
        auto with_softdeps = [&](const ResolvedModule& module, bool softdep) {
            std::vector<ResolvedModule> pre, post;
            if (const ConfigSoftdep* dep = m_config.softdep(module.name)) {
                pre = resolve_softdeps(dep->pre);
                post = resolve_softdeps(dep->post);
            }
            for (const ResolvedModule& m : pre)
                probe_list(m, false, true);
            list.push_back({ module.name, module.path, module.name == top.name && via_alias ? alias : "",
                !pre.empty() || !post.empty(), softdep });
            for (const ResolvedModule& m : post)
                probe_list(m, false, true);
        };
        probe_list = [&](const ResolvedModule& module, bool ignore_command, bool softdep) {
            if (!visited.insert(module.name).second)
                return;
            for (auto dep = module.dependencies.rbegin(); dep != module.dependencies.rend(); ++dep) {
                ResolvedModule dependency;
                dependency.name = module_name_from_path(*dep);
                dependency.path = *dep;
                with_softdeps(dependency, softdep);
            }
            if (ignore_command)
                list.push_back({ module.name, module.path, via_alias ? alias : "", true, softdep });
            else
                with_softdeps(module, softdep);
        };
        probe_list(top, m_settings.ignore_commands, false);

        for (const ProbeEntry& entry : list) {
            bool is_top = entry.name == top.name;
            int error = 0;
            if (!m_settings.show_depends && in_kernel(entry.name)) {
                error = EEXIST;
            } else {
                std::string options = joined_options(m_config.options_for(entry.name, entry.alias), is_top ? extra : "");
                const ConfigCommand* command = entry.ignore_command ? nullptr : m_config.install_command(entry.name);
                if (command) {
                    if (show)
                        act("install " + command->command + " " + options);
                    if (!dry_run) {
                        int status = run_command(command->command, entry.name, options);
                        if (status != 0) {
                            say(ModprobeLevel::Error, "Error running install command '" + command->command
                                    + "' for module " + entry.name + ": retcode " + std::to_string(status));
                            error = EINVAL;
                        }
                    }
                } else if (entry.path) {
                    if (show)
                        act("insmod " + *entry.path + " " + options);
                    if (!dry_run) {
                        InsertRequest request;
                        request.path = *entry.path;
                        request.params = options;
                        request.force_vermagic = m_settings.force_vermagic;
                        request.force_modversion = m_settings.force_modversion;
                        request.kernel = m_settings.kernel;
                        auto result = insert_module_file(request);
                        if (!result) {
                            say(ModprobeLevel::Error, "could not insert '" + top.name + "': " + result.error().message);
                            return false;
                        }
                        error = result->error;
                        if (error && error != EEXIST && !entry.softdep) {
                            std::string which = is_top ? "" : " (while loading " + entry.name + ", which it needs)";
                            say(ModprobeLevel::Error,
                                "could not insert '" + top.name + "': " + modprobe_error_text(error) + which);
                            for (const std::string& line : explain_insert_failure(error, *entry.path, entry.name,
                                     result->kernel_messages,
                                     [this](const std::string& symbol) { return symbol_owners(symbol); }))
                                say(ModprobeLevel::Detail, line);
                            return false;
                        }
                    }
                } else if (is_builtin(entry.name)) {
                    if (show)
                        act("builtin " + entry.name);
                    error = EEXIST;
                } else if (!dry_run) {
                    // kmod's answer for a module that has neither a file nor a built-in entry
                    // (e.g. a config alias to a module that is not installed).
                    error = ENOENT;
                }
            }
            if (error == EEXIST) {
                if (is_top && m_settings.first_time && !m_settings.show_depends) {
                    say(ModprobeLevel::Error, "could not insert '" + top.name + "': " + modprobe_error_text(EEXIST));
                    return false;
                }
                continue;
            }
            if (error == 0)
                continue;
            if (entry.softdep) {
                say(ModprobeLevel::Warning, "could not insert soft dependency '" + entry.name + "' of '" + top.name
                        + "': " + modprobe_error_text(error) + " (ignored)");
                continue;
            }
            say(ModprobeLevel::Error, "could not insert '" + top.name + "': " + modprobe_error_text(error)
                    + (is_top ? "" : " (while loading " + entry.name + ", which it needs)"));
            if (!entry.path && !is_builtin(entry.name))
                say(ModprobeLevel::Detail, "module " + entry.name + " has no file in " + m_module_dir
                        + " (an alias or install line points at a module that is not installed?)");
            return false;
        }
    }
    return true;
}

}  // namespace ringside::kmod
