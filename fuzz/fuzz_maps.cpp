// libFuzzer target for the /proc text parsers: smaps (and maps), meminfo, status, stat,
// the rollup reader and the pmap views over whatever parses.
#include <cstddef>
#include <cstdint>
#include <string>

#include "maps/mem_report.h"
#include "maps/meminfo.h"
#include "maps/pagemap.h"
#include "maps/pmap_view.h"
#include "maps/process_info.h"
#include "maps/smaps.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ringside::maps;
    std::string text(reinterpret_cast<const char*>(data), size);
    (void)Meminfo::parse(text);
    (void)parse_status(text);
    (void)parse_stat(text);
    (void)decode_pagemap(ringside::Bytes(data, size));
    (void)procps_cmdline(text, ProcessStat {}, true);
    ProcessMemory memory;
    (void)apply_rollup(text, memory);
    auto smaps = Smaps::parse(text);
    if (!smaps)
        return 0;
    for (PmapFormat format : { PmapFormat::Basic, PmapFormat::Extended, PmapFormat::Device, PmapFormat::Everything }) {
        PmapRequest request;
        request.format = format;
        PmapPrinter printer(request);
        PmapProcess process;
        process.pid = 1;
        process.maps = Smaps::parse(text).value();
        std::string out;
        (void)printer.render(process, out);
        (void)pmap_json(process);
    }
    return 0;
}
