// depmod: scans a module tree, works out which module provides which symbol and what each
// module needs, and produces the files kmod's depmod 30 writes, byte for byte (modules.dep,
// .alias, .symbols, .softdep, .devname and the .bin indexes). Producing the files and writing
// them are separate steps, so `-n` and tests get the contents without touching the disk.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "kmod/depmod_cache.h"
#include "kmod/depmod_log.h"
#include "kmod/index_writer.h"

namespace ringside::kmod {

struct DepmodRequest {
    std::string base_dir;        // -b: prefix of the module directory, empty for "/"
    std::string kernel_version;  // the version operand (or uname -r)
    // -C paths; empty means kmod's default depmod.d directories.
    std::vector<std::string> config_paths;
    // Explicit module files (absolute paths); empty means scan the whole tree (-a).
    std::vector<std::string> module_files;
    std::optional<std::string> symvers_file;     // -E Module.symvers
    std::optional<std::string> system_map_file;  // -F System.map
    bool report_unknown = false;                 // -e
    bool warn_duplicates = false;                // -w
    char symbol_prefix = '\0';                   // -P
    bool dry_run = false;                        // -n: only the text files, no .bin, no warnings for them
    IndexLayout layout = IndexLayout::PostOrder;
    std::string cache_file;                      // empty: no cache
    // Who writes the files (name, version, build): a rerun by another build recomputes them.
    std::string producer;
    unsigned threads = 0;                        // 0: one per core
};

struct DepmodFile {
    std::string name;  // e.g. "modules.dep"
    std::string content;
};

struct DepmodResult {
    std::string module_dir;          // <base>/lib/modules/<version>
    std::vector<DepmodFile> files;   // in kmod's write order
    // Files the last run wrote from exactly these inputs and that are still in place: kept
    // instead of rewritten (only with a cache; `files` is then empty).
    std::vector<std::string> kept;
    std::size_t module_count = 0;
    std::size_t modules_from_cache = 0;

    // For remember_depmod_run(): the cache, the inputs' description and what was logged.
    std::shared_ptr<DepmodCache> cache;
    std::string inputs;
    std::vector<DepmodLastRun::Message> messages;
};

// The module directory kmod uses: base (made absolute) + "/lib/modules/" + version.
std::string depmod_module_dir(const std::string& base_dir, const std::string& kernel_version);

// Runs depmod. Warnings go to `log` as they happen; an Error result means kmod would have
// failed (exit 1) and nothing may be written. Cycles are logged, then returned as an error.
Result<DepmodResult> run_depmod(const DepmodRequest& request, const DepmodLog& log);

// What `depmod -n` prints: the text files concatenated in kmod's order.
std::string depmod_dry_run_text(const DepmodResult& result);

// Writes every file of `result` into its module directory: all to temporary names first, then
// all renamed into place, so a failure (full disk, kill) leaves the previous set intact. Kept
// files get their modification time renewed, as if written (depmod -A compares it).
Result<void> write_depmod_files(const DepmodResult& result);

// Saves the cache after the files were written (or failed to be): with `written`, it records
// this run's inputs, output files and messages so that an identical rerun can keep them.
void remember_depmod_run(const DepmodRequest& request, const DepmodResult& result, bool written);

// depmod -A: true when modules.dep exists and no module file in the tree is newer (seconds).
bool depmod_files_up_to_date(const std::string& module_dir, const DepmodLog& log);

}  // namespace ringside::kmod
