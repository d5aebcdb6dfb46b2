// modinfo as a library: resolve operands (paths or names) to modules, read what kmod 30's
// modinfo shows for each, and format it byte for byte as kmod does (or as JSON).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "kmod/lookup.h"
#include "kmod/module_file.h"
#include "kmod/signature.h"

namespace ringside::kmod {

struct ModinfoField {
    std::string key;
    std::string value;
};

// One module as modinfo reports it.
struct ModuleReport {
    std::string name;                 // module name
    std::string filename;             // absolute path, or "(builtin)"
    bool builtin = false;
    std::string compression;          // "none", "xz", "zstd", "gzip"; empty for built-in
    // .modinfo strings (built-in: modules.builtin.modinfo records) in order, then kmod's
    // signature fields (sig_id, signer, sig_key, sig_hashalgo, signature) if signed.
    std::vector<ModinfoField> fields;
    std::optional<SignatureInfo> signature;
    // Reading the module failed after it was found (kmod prints the filename line, then fails).
    std::optional<Error> error;
    // The module was read and is shown as kmod shows it, but its signature is broken in a way
    // kmod silently ignores; ringside reports it and exits non-zero.
    std::optional<Error> signature_error;
};

// What to print: everything, or one field's values; '\n' or '\0' after each.
struct ModinfoFormat {
    std::optional<std::string> field;  // -F FIELD (-a -d -l -p -n are shortcuts)
    char separator = '\n';             // -0
};

// Reads one module file (path as kmod makes it: absolute, not canonicalized).
ModuleReport report_for_path(const std::string& absolute_path);
// The same for a module already opened; `filename` is what the report shows.
ModuleReport report_for_module_file(const ModuleFile& module, const std::string& filename);

// Module file extensions ringside accepts as paths (.ko, .ko.xz, .ko.zst, .ko.gz).
bool has_module_extension(std::string_view path);

// kmod's path_make_absolute_cwd(): a relative path is appended to the working directory as
// get_current_dir_name() reports it ($PWD when it names the same directory).
std::string make_absolute(const std::string& path);

// Resolves operands against one module directory and reads built-in module information.
class ModinfoSession {
public:
    explicit ModinfoSession(LookupContext context);

    // An operand as kmod's modinfo treats it: a path when it names an existing regular file with
    // a module extension, else a name or alias (all matches). With `name_only` (-m): module
    // name through modules.dep, modules.builtin and modules.builtin.alias only.
    // An empty list or an error means "not found"; the error says why.
    Result<std::vector<ModuleReport>> reports_for_operand(const std::string& operand, bool name_only);

    ModuleReport report_for_module(const ResolvedModule& module);

    // reports_for_operand() for every operand, in operand order; the module files are read on up
    // to `threads` threads (names are resolved first, on this thread).
    std::vector<Result<std::vector<ModuleReport>>> reports_for_operands(const std::vector<std::string>& operands,
        bool name_only, unsigned threads);

private:
    ModuleReport builtin_report(const std::string& name);

    ModuleLookup m_lookup;
    bool m_builtin_modinfo_loaded = false;
    std::optional<std::string> m_builtin_modinfo;  // modules.builtin.modinfo, if present
};

// kmod 30's text output for one module; `diagnostics` receives kmod's stderr-style messages
// (e.g. a parm without ':'), without the "modinfo: ERROR: " prefix.
void format_report(const ModuleReport& report, const ModinfoFormat& format, std::string& out,
    std::vector<std::string>& diagnostics);

// A parameter as modinfo shows it: name with description and/or type.
struct ModuleParameter {
    std::string name;
    std::optional<std::string> description;
    std::optional<std::string> type;
};

// In kmod's order (reverse of first appearance); malformed entries reported in `diagnostics`.
std::vector<ModuleParameter> collect_parameters(const std::vector<ModinfoField>& fields,
    std::vector<std::string>& diagnostics);

// Every field of the report as one JSON object (no schema header; the caller adds it).
Json report_json(const ModuleReport& report);

}  // namespace ringside::kmod
