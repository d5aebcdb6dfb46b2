// libFuzzer target for the module reader: bytes in memory -> decompression, signature split,
// ELF sections, .modinfo, __versions, exported and needed symbols, the PKCS#7 signature, and
// modinfo's text and JSON output. Any crash, hang or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kmod/modinfo.h"
#include "kmod/module_file.h"
#include "kmod/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ringside::kmod;
    // A small decompression limit keeps each run fast; the reader's limit logic is the same.
    auto module = ModuleFile::from_bytes(ringside::Bytes(data, size), "fuzz input module", 16u << 20);
    if (!module)
        return 0;
    (void)module->versions();
    (void)module->exported_symbols();
    (void)module->needed_symbols();
    (void)module->modinfo_value("vermagic");
    ModuleReport report = report_for_module_file(*module, "/fuzz/input.ko");
    std::string text;
    std::vector<std::string> diagnostics;
    format_report(report, ModinfoFormat {}, text, diagnostics);
    format_report(report, ModinfoFormat { std::string("parm"), '\0' }, text, diagnostics);
    (void)ringside::json_text(report_json(report));
    return 0;
}
