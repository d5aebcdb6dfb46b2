#include <string_view>

#include "ring/ring_report.h"

namespace ringside::ring {

namespace {

Result<void> add_probes(RingRequest& request, std::string_view list)
{
    while (true) {
        auto comma = list.find(',');
        std::string_view name = list.substr(0, comma);
        if (name.empty())
            return make_error(ErrorKind::InvalidArgument, "--only needs probe names separated by commas");
        const ProbeSpec* spec = find_probe(name);
        if (!spec)
            return make_error(ErrorKind::InvalidArgument,
                "unknown probe '" + std::string(name) + "'; `ringside ring --list` names them");
        request.probes.push_back(spec);
        if (comma == std::string_view::npos)
            return {};
        list.remove_prefix(comma + 1);
    }
}

}  // namespace

Result<RingRequest> parse_ring_arguments(const std::vector<std::string>& arguments)
{
    RingRequest request;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        std::string_view argument = arguments[i];
        if (argument == "--json" || argument == "-j") {
            request.json = true;
        } else if (argument == "--help" || argument == "-h") {
            request.help = true;
        } else if (argument == "--list" || argument == "-l") {
            request.list = true;
        } else if (argument == "--only" || argument == "-o") {
            if (i + 1 == arguments.size())
                return make_error(ErrorKind::InvalidArgument, std::string(argument) + " needs a list of probes");
            TRY_VOID(add_probes(request, arguments[++i]));
        } else if (argument.starts_with("--only=")) {
            TRY_VOID(add_probes(request, argument.substr(7)));
        } else {
            return make_error(ErrorKind::InvalidArgument,
                "unknown option '" + std::string(argument) + "'; `ringside ring --help` lists them");
        }
    }
    return request;
}

}  // namespace ringside::ring
