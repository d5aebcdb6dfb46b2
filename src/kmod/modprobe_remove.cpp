// modprobe -r: a module, its soft dependencies and the dependencies nobody uses any more,
// in kmod 30's order (one pass over the dependencies in load order, no recursion).
#include <cerrno>
#include <algorithm>
#include <cstring>
#include <unistd.h>

#include "kmod/kernel_calls.h"
#include "kmod/modprobe.h"
#include "kmod/rmmod.h"

namespace ringside::kmod {

bool Modprobe::remove(const std::string& requested)
{
    auto found = m_lookup->lookup(requested);
    if (!found) {
        say(ModprobeLevel::Error, found.error().message);
        return false;
    }
    if (found->empty()) {
        say_fatal("Module " + requested + " not found.");
        return false;
    }
    bool ok = true;
    for (const ResolvedModule& module : *found)
        ok = remove_one(module, true) && ok;
    return ok;
}

bool Modprobe::remove_one(const ResolvedModule& module, bool top)
{
    const std::string& name = module.name;
    bool dry_run = m_settings.dry_run || m_settings.show_depends;
    bool show = m_settings.verbose || m_settings.show_depends;
    bool use_commands = !(top && m_settings.ignore_commands);
    const ConfigCommand* command = use_commands ? m_config.remove_command(name) : nullptr;

    if (!command) {
        if (is_builtin(name)) {
            if (!top)
                return true;  // soft dependencies that are built in are no error
            say_fatal("Module " + name + " is builtin.");
            return false;
        }
        if (module_state(m_settings.kernel, name) == ModuleState::NotLoaded) {
            if (top && m_settings.first_time) {
                say_fatal("Module " + name + " is not in kernel.");
                return false;
            }
            return true;
        }
    }

    std::vector<ResolvedModule> pre, post;
    if (use_commands)
        if (const ConfigSoftdep* dep = m_config.softdep(name)) {
            pre = resolve_softdeps(dep->pre);
            post = resolve_softdeps(dep->post);
        }
    for (auto m = post.rbegin(); m != post.rend(); ++m)
        remove_one(*m, false);

    if (m_settings.remove_holders) {
        auto holders = module_holders(m_settings.kernel, name);
        for (auto holder = holders.rbegin(); holder != holders.rend(); ++holder) {
            ResolvedModule held;
            held.name = *holder;
            if (auto line = m_lookup->find_dependency_line(*holder); line && *line)
                held = **line;
            if (!remove_one(held, false))
                return false;
        }
    }

    if (!command && m_settings.wait_ms == 0) {
        long refcount = module_refcount(m_settings.kernel, name);
        if (refcount > 0) {
            if (!top)
                return false;  // a soft dependency or holder still in use stays, silently, as in kmod
            auto holders = module_holders(m_settings.kernel, name);
            std::string by;
            for (const std::string& h : holders)
                by += (by.empty() ? "" : " ") + h;
            say_fatal("Module " + name + " is in use." + (by.empty() ? "" : " (used by: " + by + ")"));
            return false;
        }
    }

    if (command) {
        if (show)
            act("remove " + command->command);
        if (!dry_run && run_command(command->command, name, "") != 0) {
            say(ModprobeLevel::Error, "Error running remove command for " + name);
            return false;
        }
    } else {
        if (show)
            act("rmmod " + name);
        if (!dry_run) {
            int error = call_delete_module(name, false);
            // -w: the module may be in use for a while; retry with a growing pause.
            unsigned waited = 0, pause = 10;
            while ((error == EAGAIN || error == EBUSY) && waited < m_settings.wait_ms) {
                pause = std::min(pause, m_settings.wait_ms - waited);
                ::usleep(pause * 1000);
                waited += pause;
                pause = std::min(pause * 2, 1000u);
                error = call_delete_module(name, false);
            }
            if (error) {
                say(ModprobeLevel::Error, "could not remove module " + name + ": " + std::strerror(error));
                return false;
            }
        }
    }

    // Dependencies nobody holds any more, in load order and in one pass, as kmod 30 does:
    // a dependency still held by a later one in the list stays loaded.
    for (auto path = module.dependencies.rbegin(); path != module.dependencies.rend(); ++path) {
        std::string dep = module_name_from_path(*path);
        if (module_state(m_settings.kernel, dep) != ModuleState::Live)
            continue;
        if (module_refcount(m_settings.kernel, dep) != 0)
            continue;
        if (show)
            act("rmmod " + dep);
        if (!dry_run)
            call_delete_module(dep, false);
    }

    for (auto m = pre.rbegin(); m != pre.rend(); ++m)
        remove_one(*m, false);
    return true;
}

}  // namespace ringside::kmod
