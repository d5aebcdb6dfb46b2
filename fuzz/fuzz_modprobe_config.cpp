// The modprobe.d parser and the kernel command line parser on arbitrary text: never a crash,
// and the dump of whatever was parsed can be produced.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kmod/modprobe_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    ringside::kmod::ModprobeConfig config;
    ringside::kmod::parse_config_text(config, text, "fuzz.conf");
    ringside::kmod::parse_kernel_cmdline(config, text);
    (void)ringside::kmod::format_config_dump(config);
    for (const auto& softdep : config.softdeps)
        (void)config.softdep(softdep.module);
    (void)config.options_for("a", "b");
    return 0;
}
