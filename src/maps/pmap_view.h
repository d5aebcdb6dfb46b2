// The views of procps-ng pmap 4.0.2, reproduced column for column: the default listing,
// -x (extended), -d (device) and -X/-XX (every smaps field). Reading is separate from
// printing so that --json uses the same data.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include <sys/types.h>

#include "base/json.h"
#include "base/result.h"
#include "maps/smaps.h"

namespace ringside::maps {

enum class PmapFormat { Basic, Extended, Device, More, Everything };  // -, -x, -d, -X, -XX

struct PmapRequest {
    PmapFormat format = PmapFormat::Basic;
    bool quiet = false;       // -q
    bool show_path = false;   // -p
    std::uint64_t range_low = 0;
    std::uint64_t range_high = UINT64_MAX;
    std::vector<std::string> pids;  // decimal PIDs or "self", in the order given
};

bool pmap_reads_smaps(PmapFormat format);

// One process as pmap needs it. `error` is set (and `maps` empty) when it could not be read.
struct PmapProcess {
    pid_t pid = 0;
    std::string cmdline;           // the header text, as procps shows it
    std::uint64_t start_stack = 0;
    std::optional<Smaps> maps;
    std::optional<Error> error;
};

// Reads one process. NotFound when it does not exist (pmap leaves it out silently); other
// errors still yield a PmapProcess so its header line can be printed.
Result<PmapProcess> read_pmap_process(const std::string& pid_text, PmapFormat format);

// Reads every requested process, several at a time (smaps of big processes costs tens of
// milliseconds of kernel time each), and hands them to `visit` in the request's order;
// `visit` returns false to stop.
void read_pmap_processes(const PmapRequest& request, const std::function<bool(Result<PmapProcess>)>& visit);

// Renders processes in order, keeping the column state procps carries from one PID to the
// next in -X/-XX (its field columns only ever widen).
class PmapPrinter {
public:
    explicit PmapPrinter(const PmapRequest& request);

    // Appends the text for one process to `out`. Fails only on smaps whose fields change
    // order between mappings (procps stops there too).
    Result<void> render(const PmapProcess& process, std::string& out);

private:
    struct FieldColumn {
        std::string description;
        int max_width = 0;
        std::uint64_t total = 0;
    };

    void render_simple(const PmapProcess& process, std::string& out);
    Result<void> render_all_fields(const PmapProcess& process, std::string& out);
    std::string mapping_name(const PmapProcess& process, const MapsLine& line);

    PmapRequest m_request;
    std::vector<FieldColumn> m_columns;
    bool m_utf8 = false;
};

// The device minor of the kernel's internal shmem mount, where SysV segments live (pmap
// shows those as "[ shmid=0x... ]"). Found once from a memfd of our own.
std::uint32_t shmem_device_minor();

Json pmap_json(const PmapProcess& process);

}  // namespace ringside::maps
