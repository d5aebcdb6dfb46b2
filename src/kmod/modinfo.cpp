#include "kmod/modinfo.h"

#include <atomic>
#include <cstdlib>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mapped_file.h"
#include "kmod/module_file.h"

namespace ringside::kmod {

namespace {

constexpr std::string_view module_extensions[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

void append_field(std::vector<ModinfoField>& fields, std::string_view key, std::string_view value)
{
    fields.push_back({ std::string(key), std::string(value) });
}

// kmod appends the signature after the .modinfo strings, in this order.
void append_signature_fields(std::vector<ModinfoField>& fields, const SignatureInfo& signature)
{
    append_field(fields, "sig_id", signature.id_type);
    append_field(fields, "signer", signature.signer);
    append_field(fields, "sig_key", kmod_hex(signature.key_id));
    append_field(fields, "sig_hashalgo", signature.hash_algorithm);
    append_field(fields, "signature", kmod_hex(signature.signature));
}

// "%-16s": the label padded to 16 columns.
void append_label(std::string& out, std::string_view label)
{
    out.append(label);
    if (label.size() < 16)
        out.append(16 - label.size(), ' ');
}

std::string hex_without_breaks(const std::vector<std::uint8_t>& bytes)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string text;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0)
            text.push_back(':');
        text.push_back(digits[bytes[i] >> 4]);
        text.push_back(digits[bytes[i] & 0xf]);
    }
    return text;
}

}  // namespace

bool has_module_extension(std::string_view path)
{
    if (path.size() <= 3)
        return false;
    for (std::string_view extension : module_extensions)
        if (path.size() >= extension.size() && path.substr(path.size() - extension.size()) == extension)
            return true;
    return false;
}

std::string make_absolute(const std::string& path)
{
    if (!path.empty() && path.front() == '/')
        return path;
    std::string cwd;
    const char* pwd = std::getenv("PWD");
    struct stat pwd_stat {};
    struct stat dot_stat {};
    if (pwd && pwd[0] == '/' && ::stat(pwd, &pwd_stat) == 0 && ::stat(".", &dot_stat) == 0
        && pwd_stat.st_dev == dot_stat.st_dev && pwd_stat.st_ino == dot_stat.st_ino) {
        cwd = pwd;
    } else {
        char buffer[4096];
        if (::getcwd(buffer, sizeof buffer))
            cwd = buffer;
    }
    return cwd + "/" + path;
}

ModuleReport report_for_path(const std::string& absolute_path)
{
    auto module = ModuleFile::open(absolute_path);
    if (!module) {
        ModuleReport report;
        report.name = module_name_from_path(absolute_path);
        report.filename = absolute_path;
        report.error = std::move(module).error();
        return report;
    }
    return report_for_module_file(*module, absolute_path);
}

ModuleReport report_for_module_file(const ModuleFile& module, const std::string& filename)
{
    ModuleReport report;
    report.name = module_name_from_path(filename);
    report.filename = filename;
    report.compression = compression_name(module.compression());
    auto entries = module.modinfo();
    if (!entries) {
        report.error = std::move(entries).error();
        return report;
    }
    report.fields.reserve(entries->size() + 5);
    for (const ModinfoEntry& entry : *entries)
        append_field(report.fields, entry.key, entry.value);
    if (module.signature()) {
        auto signature = describe_signature(*module.signature());
        if (!signature)
            report.signature_error = std::move(signature).error().with_context(filename);
        else
            report.signature = std::move(signature).value();
        if (report.signature)
            append_signature_fields(report.fields, *report.signature);
    } else if (module.signature_problem()) {
        report.signature_error = Error { ErrorKind::Malformed, filename + ": " + *module.signature_problem() };
    }
    return report;
}

ModinfoSession::ModinfoSession(LookupContext context) : m_lookup(std::move(context)) {}

ModuleReport ModinfoSession::builtin_report(const std::string& name)
{
    ModuleReport report;
    report.name = name;
    report.filename = "(builtin)";
    report.builtin = true;
    if (!m_builtin_modinfo_loaded) {
        m_builtin_modinfo_loaded = true;
        auto text = read_small_file(m_lookup.context().module_directory + "/modules.builtin.modinfo");
        if (text)
            m_builtin_modinfo = std::move(text).value();
    }
    if (!m_builtin_modinfo)
        return report;  // an old kernel without the file: kmod shows just name and filename
    std::string_view all = *m_builtin_modinfo;
    std::string prefix = name + ".";
    std::size_t at = 0;
    while (at < all.size()) {
        std::size_t end = all.find('\0', at);
        if (end == std::string_view::npos)
            end = all.size();
        std::string_view record = all.substr(at, end - at);
        at = end + 1;
        if (record.size() <= prefix.size() || record.compare(0, prefix.size(), prefix) != 0)
            continue;
        record.remove_prefix(prefix.size());
        std::size_t equals = record.find('=');
        if (equals == std::string_view::npos)
            append_field(report.fields, record, "");
        else
            append_field(report.fields, record.substr(0, equals), record.substr(equals + 1));
    }
    return report;
}

ModuleReport ModinfoSession::report_for_module(const ResolvedModule& module)
{
    if (module.path)
        return report_for_path(*module.path);
    // No file: kmod treats it as built-in; its information comes from modules.builtin.modinfo
    // only if modules.builtin lists it (or it came through a builtin index).
    bool builtin = module.builtin || m_lookup.is_builtin(module.name).value_or(false);
    if (builtin)
        return builtin_report(module.name);
    ModuleReport report;
    report.name = module.name;
    report.filename = "(builtin)";
    report.builtin = true;
    return report;
}

Result<std::vector<ModuleReport>> ModinfoSession::reports_for_operand(const std::string& operand, bool name_only)
{
    std::vector<ModuleReport> reports;
    if (name_only) {
        std::optional<ResolvedModule> module = TRY(m_lookup.lookup_module_name(operand));
        if (module)
            reports.push_back(report_for_module(*module));
        return reports;
    }
    struct stat st {};
    if (::stat(operand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && has_module_extension(operand)) {
        reports.push_back(report_for_path(make_absolute(operand)));
        return reports;
    }
    std::vector<ResolvedModule> modules = TRY(m_lookup.lookup(operand));
    reports.reserve(modules.size());
    for (const ResolvedModule& module : modules)
        reports.push_back(report_for_module(module));
    return reports;
}

std::vector<Result<std::vector<ModuleReport>>> ModinfoSession::reports_for_operands(
    const std::vector<std::string>& operands, bool name_only, unsigned threads)
{
    // Resolve every operand first; a module file to read becomes a job filled in below.
    struct Job {
        std::size_t operand;
        std::size_t index;
        std::string path;
    };
    std::vector<Job> jobs;
    std::vector<Result<std::vector<ModuleReport>>> results;
    results.reserve(operands.size());
    for (std::size_t i = 0; i < operands.size(); ++i) {
        const std::string& operand = operands[i];
        struct stat st {};
        if (!name_only && ::stat(operand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && has_module_extension(operand)) {
            results.emplace_back(std::vector<ModuleReport>(1));
            jobs.push_back({ i, 0, make_absolute(operand) });
            continue;
        }
        std::vector<ResolvedModule> modules;
        if (name_only) {
            auto module = m_lookup.lookup_module_name(operand);
            if (!module) {
                results.emplace_back(std::move(module).error());
                continue;
            }
            if (*module)
                modules.push_back(std::move(**module));
        } else {
            auto found = m_lookup.lookup(operand);
            if (!found) {
                results.emplace_back(std::move(found).error());
                continue;
            }
            modules = std::move(found).value();
        }
        std::vector<ModuleReport> reports(modules.size());
        for (std::size_t m = 0; m < modules.size(); ++m) {
            if (modules[m].path)
                jobs.push_back({ i, m, *modules[m].path });
            else
                reports[m] = report_for_module(modules[m]);
        }
        results.emplace_back(std::move(reports));
    }

    std::atomic<std::size_t> next { 0 };
    auto work = [&] {
        for (std::size_t j = next++; j < jobs.size(); j = next++)
            results[jobs[j].operand].value()[jobs[j].index] = report_for_path(jobs[j].path);
    };
    // Threads pay off only over many files; each report is independent of the others.
    unsigned count = jobs.size() < 64 ? 1 : std::max(1u, threads);
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < count; ++t)
        workers.emplace_back(work);
    work();
    for (std::thread& worker : workers)
        worker.join();
    return results;
}

std::vector<ModuleParameter> collect_parameters(const std::vector<ModinfoField>& fields,
    std::vector<std::string>& diagnostics)
{
    // kmod keeps a list it pushes new names onto the front of: last first-seen prints first.
    std::vector<ModuleParameter> parameters;
    for (const ModinfoField& field : fields) {
        bool is_description = field.key == "parm";
        if (!is_description && field.key != "parmtype")
            continue;
        std::size_t colon = field.value.find(':');
        if (colon == std::string::npos) {
            diagnostics.push_back("Found invalid \"" + field.key + "=" + field.value + "\": missing ':'");
            continue;
        }
        std::string name = field.value.substr(0, colon);
        ModuleParameter* parameter = nullptr;
        for (ModuleParameter& existing : parameters)
            if (existing.name == name) {
                parameter = &existing;
                break;
            }
        if (!parameter) {
            parameters.push_back({ name, std::nullopt, std::nullopt });
            parameter = &parameters.back();
        }
        (is_description ? parameter->description : parameter->type) = field.value.substr(colon + 1);
    }
    return { parameters.rbegin(), parameters.rend() };
}

void format_report(const ModuleReport& report, const ModinfoFormat& format, std::string& out,
    std::vector<std::string>& diagnostics)
{
    const char separator = format.separator;
    const std::string* field = format.field ? &*format.field : nullptr;

    if (report.builtin) {
        if (!field) {
            append_label(out, "name:");
            out += report.name;
            out += separator;
        } else if (*field == "name") {
            out += report.name;
            out += separator;
        }
    }
    if (field && *field == "filename") {
        out += report.filename;
        out += separator;
        return;
    }
    if (!field) {
        append_label(out, "filename:");
        out += report.filename;
        out += separator;
    }
    if (report.error) {
        diagnostics.push_back(report.error->message);
        return;
    }

    if (field && *field == "parm") {
        for (const ModuleParameter& p : collect_parameters(report.fields, diagnostics)) {
            out += p.name;
            if (!p.description) {
                out += ": (";
                out += p.type.value_or("");
                out += ')';
            } else {
                out += ':';
                out += *p.description;
                if (p.type) {
                    out += " (";
                    out += *p.type;
                    out += ')';
                }
            }
            out += separator;
        }
        return;
    }

    if (field) {
        for (const ModinfoField& entry : report.fields)
            if (entry.key == *field) {
                out += entry.value;
                out += separator;
            }
        return;
    }

    for (const ModinfoField& entry : report.fields) {
        if (entry.key == "parm" || entry.key == "parmtype")
            continue;
        out += entry.key;
        if (separator == '\0') {
            out += '=';
        } else {
            out += ':';
            // kmod prints "%-*s" with width 15 - keylen: a negative width pads just the same.
            std::size_t width = entry.key.size() <= 15 ? 15 - entry.key.size() : entry.key.size() - 15;
            out.append(width, ' ');
        }
        out += entry.value;
        out += separator;
    }
    for (const ModuleParameter& p : collect_parameters(report.fields, diagnostics)) {
        append_label(out, "parm:");
        out += p.name;
        out += ':';
        if (!p.description) {
            out += p.type.value_or("");
        } else {
            out += *p.description;
            if (p.type) {
                out += " (";
                out += *p.type;
                out += ')';
            }
        }
        out += separator;
    }
}

Json report_json(const ModuleReport& report)
{
    Json object = Json::object();
    object["name"] = report.name;
    object["filename"] = report.filename;
    object["builtin"] = report.builtin;
    // Every module object has the same keys (docs/json.md): absent values are null.
    object["compression"] = report.compression.empty() ? Json(nullptr) : Json(report.compression);
    Json fields = Json::array();
    std::vector<std::string> ignored;
    // The five signature fields at the end get their own object below.
    std::size_t modinfo_count = report.fields.size() - (report.signature ? 5 : 0);
    for (std::size_t i = 0; i < modinfo_count; ++i)
        fields.push_back(Json { { "key", report.fields[i].key }, { "value", report.fields[i].value } });
    object["fields"] = std::move(fields);
    Json parameters = Json::array();
    for (const ModuleParameter& p : collect_parameters(report.fields, ignored)) {
        Json parameter = Json { { "name", p.name } };
        parameter["description"] = p.description ? Json(*p.description) : Json(nullptr);
        parameter["type"] = p.type ? Json(*p.type) : Json(nullptr);
        parameters.push_back(std::move(parameter));
    }
    object["parameters"] = std::move(parameters);
    if (report.signature) {
        const SignatureInfo& s = *report.signature;
        object["signature"] = Json {
            { "id_type", s.id_type },
            { "signer", s.signer },
            { "key_id", hex_without_breaks(s.key_id) },
            { "hash_algorithm", s.hash_algorithm },
            { "signature", hex_without_breaks(s.signature) },
        };
    } else {
        object["signature"] = nullptr;
    }
    if (report.error)
        object["error"] = report.error->message;
    else if (report.signature_error)
        object["error"] = report.signature_error->message;
    else
        object["error"] = nullptr;
    return object;
}

}  // namespace ringside::kmod
