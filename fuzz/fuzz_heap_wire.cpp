// The heap checker's wire reader (what libringside_heap.so sends to `ringside check`, or a
// captured stderr given to `ringside check --read`) on arbitrary bytes: never a crash, and the
// whole report (merging, suppressions, growth, text/JSON/SARIF) can be rendered from whatever
// was parsed. Stacks get synthetic frames instead of reading the modules the input names.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/json.h"
#include "heap/analysis.h"
#include "heap/suppressions.h"
#include "heap/wire.h"

namespace {

const std::vector<ringside::heap::Suppression>& suppressions()
{
    static const auto parsed = ringside::heap::parse_suppressions(
        "{\n one\n ringside:leak\n fun:f1*\n ...\n src:*.c:3\n}\n"
        "{\n two\n Memcheck:Addr8\n ...\n obj:/lib/*\n fun:main\n}\n",
        "fuzz.supp");
    return *parsed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ringside::heap;
    WireLog log = parse_wire(std::string_view(reinterpret_cast<const char*>(data), size));
    for (HeapError& e : log.errors) {
        (void)describe(e);
        for (Stack& s : e.stacks)
            for (uint64_t pc : s.pcs)
                s.frames.push_back(Frame { pc, "f" + std::to_string(pc % 5), pc % 3 ? "/src/a.c" : "", static_cast<int>(pc % 7),
                    pc % 2 ? "/lib/x.so" : "", pc });
    }
    CheckReport report = analyse(std::move(log), suppressions(), Symbols::Keep);
    (void)render_text(report);
    (void)ringside::json_text(render_json(report));
    (void)ringside::json_text(render_sarif(report));
    return 0;
}
