#include "symbolize.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <cstdlib>
#include <memory>

namespace ringside::heap {

namespace {

std::string demangle(const char* name)
{
    if (!name)
        return {};
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
    return status == 0 && out ? std::string(out.get()) : std::string(name);
}

// An inlined function's name: the linkage name demangled when there is one (qualified C++
// names), else the plain name, following the abstract origin.
std::string die_function_name(Dwarf_Die* die)
{
    Dwarf_Attribute attr;
    const char* linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
    if (linkage)
        return demangle(linkage);
    const char* name = dwarf_diename(die);
    return name ? name : "";
}

class ProcessSymbolizer {
public:
    explicit ProcessSymbolizer(const Process& process) : m_process(process)
    {
        static char* debuginfo_path = nullptr;
        static const Dwfl_Callbacks callbacks = {
            dwfl_build_id_find_elf,
            dwfl_standard_find_debuginfo,
            dwfl_offline_section_address,
            &debuginfo_path,
        };
        m_dwfl = dwfl_begin(&callbacks);
        if (!m_dwfl)
            return;
        dwfl_report_begin(m_dwfl);
        // One module per object: reported at the start of its first (offset 0) mapping.
        for (const Mapping& m : process.mappings) {
            if (m.offset != 0)
                continue;
            bool has_code = false;
            for (const Mapping& other : process.mappings)
                has_code = has_code || (other.path == m.path && other.executable);
            if (has_code)
                dwfl_report_elf(m_dwfl, m.path.c_str(), m.path.c_str(), -1, m.start, false);
        }
        dwfl_report_end(m_dwfl, nullptr, nullptr);
    }
    ~ProcessSymbolizer()
    {
        if (m_dwfl)
            dwfl_end(m_dwfl);
    }
    ProcessSymbolizer(const ProcessSymbolizer&) = delete;
    ProcessSymbolizer& operator=(const ProcessSymbolizer&) = delete;

    // The frames at `pc`, innermost first: one per function inlined there (fortify's memcpy
    // wrapper inlined into main, say), each with the line it was called from, then the function
    // the code belongs to, as Valgrind shows them.
    std::vector<Frame> frames(uint64_t pc, bool exact)
    {
        Frame f;
        f.pc = pc;
        for (const Mapping& m : m_process.mappings) {
            if (pc >= m.start && pc < m.end) {
                f.module = m.path;
                f.module_offset = pc - m.start + m.offset;
                break;
            }
        }
        if (!m_dwfl)
            return { f };
        // A return address points after the call; look up the call instruction itself.
        Dwarf_Addr lookup = exact ? pc : pc - 1;
        Dwfl_Module* module = dwfl_addrmodule(m_dwfl, lookup);
        if (!module)
            return { f };
        if (const char* name = dwfl_module_addrname(module, lookup))
            f.function = demangle(name);
        if (Dwfl_Line* line = dwfl_module_getsrc(module, lookup)) {
            int lineno = 0;
            if (const char* file = dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr)) {
                f.file = file;
                f.line = lineno;
            }
        }
        std::vector<Frame> out;
        Dwarf_Addr bias = 0;
        Dwarf_Die* cu = dwfl_module_addrdie(module, lookup, &bias);
        Dwarf_Die* scopes = nullptr;
        int count = cu ? dwarf_getscopes(cu, lookup - bias, &scopes) : 0;
        Dwarf_Files* files = nullptr;
        size_t file_count = 0;
        if (count > 0 && dwarf_getsrcfiles(cu, &files, &file_count) != 0)
            files = nullptr;
        for (int i = 0; i < count; ++i) {
            if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
                continue;
            Frame inlined = f;
            inlined.function = die_function_name(&scopes[i]);
            out.push_back(inlined);
            // Where it was inlined is the location in the enclosing function.
            Dwarf_Attribute attr;
            Dwarf_Word file_index = 0, call_line = 0;
            if (files && dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr), &file_index) == 0
                && dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr), &call_line) == 0) {
                const char* file = file_index < file_count ? dwarf_filesrc(files, file_index, nullptr, nullptr) : nullptr;
                f.file = file ? file : "";
                f.line = static_cast<int>(call_line);
            }
        }
        std::free(scopes);
        out.push_back(f);
        return out;
    }

private:
    const Process& m_process;
    Dwfl* m_dwfl = nullptr;
};

}  // namespace

void symbolize(WireLog& log)
{
    std::map<std::string, std::unique_ptr<ProcessSymbolizer>> symbolizers;
    for (HeapError& e : log.errors) {
        auto it = symbolizers.find(e.process);
        if (it == symbolizers.end()) {
            const Process& process = log.processes[e.process];
            it = symbolizers.emplace(e.process, std::make_unique<ProcessSymbolizer>(process)).first;
        }
        for (Stack& s : e.stacks) {
            s.frames.clear();
            for (size_t i = 0; i < s.pcs.size(); ++i) {
                bool exact = i == 0 && e.field("fn").rfind("SIG", 0) == 0 && s.role == "at";
                for (Frame& f : it->second->frames(s.pcs[i], exact))
                    s.frames.push_back(std::move(f));
            }
        }
    }
}

}  // namespace ringside::heap
