// libFuzzer target for the .bin index reader: any bytes must give a result or an Error from
// every lookup and the full dump, never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kmod/index_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto reader = ringside::kmod::IndexReader::from_bytes(std::vector<std::uint8_t>(data, data + size), "fuzz.bin");
    if (!reader)
        return 0;
    (void)reader->dump();
    for (const char* key : { "", "snd_hda_intel", "pci:v00008086d00001533sv00000000sd00000000bc02sc00i00",
             "symbol:printk", "usb:v1D6Bp0002d0601dc09dsc00dp01ic09isc00ip00in00", "a" }) {
        (void)reader->lookup(key);
        (void)reader->lookup_wildcard(key);
    }
    return 0;
}
