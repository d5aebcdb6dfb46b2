// depmod.d configuration (kmod 30 semantics): which directories win when two modules share a
// name (search, override), extra module directories (external) and skipped names (exclude).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kmod/depmod_log.h"

namespace ringside::kmod {

struct DepmodSearch {
    enum class Kind { Path, BuiltIn, External };
    Kind kind = Kind::Path;
    std::string path;  // relative to the module directory (Kind::Path only)
};

// The lists are kept in kmod's order: every directive is put in front, so the entry declared
// last comes first. Priorities and the scan order of external directories derive from that.
struct DepmodConfig {
    std::vector<DepmodSearch> searches;
    std::vector<std::string> overrides;  // "<subdir>/<module name as spelled in the file name>"
    std::vector<std::string> externals;  // absolute directories
    std::vector<std::string> excludes;   // directory entry names to skip

    // The implicit "search updates" kmod adds when no search directive was read.
    void add_default_search();
};

// The directories kmod 30 reads when no -C is given.
const std::vector<std::string>& default_depmod_config_paths();

// Parses one configuration file's text. `kernel_version` is matched against the version
// regexes of override and external.
void parse_depmod_config(DepmodConfig& config, std::string_view text, const std::string& filename,
    const std::string& kernel_version, const DepmodLog& log);

// Reads every *.conf of `paths` (directories, or single files) in kmod's order: all names
// sorted, a name seen in an earlier path shadowing later ones; then adds the default search.
DepmodConfig load_depmod_config(const std::vector<std::string>& paths, const std::string& kernel_version,
    const DepmodLog& log);

}  // namespace ringside::kmod
