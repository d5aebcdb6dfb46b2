// `ringside install --prefix DIR [--kmod-links]`: puts the running binary and the files that
// `cmake --install` would put (preload library, man pages, completions) under DIR, in the
// same layout. The plan is data (InstallItem list); carrying it out is separate, so
// --dry-run prints exactly what would happen.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "base/atomic_file.h"
#include "base/mapped_file.h"
#include "cli/commands.h"
#include "cli/tool_table.h"

// Layout and build-tree locations, from src/cli/CMakeLists.txt.
#ifndef RINGSIDE_INSTALL_SBINDIR
#define RINGSIDE_INSTALL_SBINDIR "sbin"
#define RINGSIDE_INSTALL_LIBDIR "lib"
#define RINGSIDE_INSTALL_MANDIR "share/man"
#define RINGSIDE_INSTALL_DATADIR "share"
#define RINGSIDE_BUILD_MAN_DIR ""
#define RINGSIDE_BUILD_PRELOAD ""
#define RINGSIDE_SOURCE_COMPLETIONS_DIR ""
#define RINGSIDE_SOURCE_JSON_SCHEMA_DIR ""
#endif

namespace ringside::cli {

namespace {

namespace fs = std::filesystem;

struct InstallRequest {
    std::string prefix;
    bool kmod_links = false;
    bool dry_run = false;
    bool help = false;
};

struct InstallItem {
    fs::path source;          // file to copy; empty for a symlink
    fs::path destination;
    std::string link_target;  // for symlinks
    unsigned mode = 0644;
};

constexpr const char* usage =
    "Usage: ringside install --prefix DIR [--kmod-links] [--dry-run]\n"
    "\n"
    "Installs this ringside binary under DIR the way `cmake --install` does: DIR/" RINGSIDE_INSTALL_SBINDIR
    "/ringside,\n"
    "the heap checker's preload library, the man pages and the bash and zsh completions.\n"
    "\n"
    "Options:\n"
    "  -p, --prefix DIR   where to install (required)\n"
    "  -k, --kmod-links   also create lsmod, insmod, rmmod, modinfo, modprobe and depmod\n"
    "                     symlinks beside ringside (an existing file that is not such a link\n"
    "                     is never replaced)\n"
    "  -n, --dry-run      print what would be installed, change nothing\n"
    "  -h, --help         show this help\n";

Result<InstallRequest> parse_install_arguments(int argc, char** argv)
{
    InstallRequest request;
    for (int i = 1; i < argc; ++i) {
        std::string argument = argv[i];
        if (argument == "--prefix" || argument == "-p") {
            if (i + 1 == argc)
                return make_error(ErrorKind::InvalidArgument, argument + " needs a directory");
            request.prefix = argv[++i];
        } else if (argument.starts_with("--prefix=")) {
            request.prefix = argument.substr(9);
        } else if (argument == "--kmod-links" || argument == "-k") {
            request.kmod_links = true;
        } else if (argument == "--dry-run" || argument == "-n") {
            request.dry_run = true;
        } else if (argument == "--help" || argument == "-h") {
            request.help = true;
        } else {
            return make_error(ErrorKind::InvalidArgument, "unknown option '" + argument + "'; see --help");
        }
    }
    if (!request.help && request.prefix.empty())
        return make_error(ErrorKind::InvalidArgument, "--prefix DIR is required");
    return request;
}

// The files to install come from the build tree when this binary runs from there, or from
// the installed tree beside this binary (prefix/sbin/ringside -> prefix/share/...).
fs::path first_existing(std::initializer_list<fs::path> candidates)
{
    std::error_code error;
    for (const fs::path& candidate : candidates)
        if (!candidate.empty() && fs::exists(candidate, error))
            return candidate;
    return {};
}

Result<std::vector<InstallItem>> plan_install(const InstallRequest& request)
{
    std::error_code error;
    fs::path self = fs::read_symlink("/proc/self/exe", error);
    if (error)
        return make_error(ErrorKind::Io, "cannot find this program (/proc/self/exe): " + error.message());
    fs::path prefix = fs::absolute(request.prefix);
    fs::path running_prefix = self.parent_path().parent_path();
    std::vector<InstallItem> items;

    fs::path sbin = prefix / RINGSIDE_INSTALL_SBINDIR;
    items.push_back({ self, sbin / "ringside", "", 0755 });
    if (request.kmod_links)
        for (const Tool& tool : tools())
            if (tool.kmod_link)
                items.push_back({ {}, sbin / std::string(tool.name), "ringside", 0777 });

    fs::path preload_relative = fs::path(RINGSIDE_INSTALL_LIBDIR) / "ringside" / "libringside_heap.so";
    if (fs::path preload = first_existing({ RINGSIDE_BUILD_PRELOAD, running_prefix / preload_relative });
        !preload.empty())
        items.push_back({ preload, prefix / preload_relative, "", 0644 });

    for (const char* section : { "man1", "man8" }) {
        fs::path relative = fs::path(RINGSIDE_INSTALL_MANDIR) / section;
        fs::path built = std::string(RINGSIDE_BUILD_MAN_DIR).empty() ? fs::path() : fs::path(RINGSIDE_BUILD_MAN_DIR) / section;
        fs::path from = first_existing({ built, running_prefix / relative });
        if (from.empty())
            continue;
        for (const auto& entry : fs::directory_iterator(from, error))
            if (entry.is_regular_file() && entry.path().filename().string().starts_with("ringside"))
                items.push_back({ entry.path(), prefix / relative / entry.path().filename(), "", 0644 });
    }

    fs::path data = fs::path(RINGSIDE_INSTALL_DATADIR);
    fs::path completions_source = RINGSIDE_SOURCE_COMPLETIONS_DIR;
    if (fs::path bash = first_existing({ completions_source.empty() ? fs::path() : completions_source / "ringside.bash",
            running_prefix / data / "bash-completion/completions/ringside" });
        !bash.empty())
        items.push_back({ bash, prefix / data / "bash-completion/completions/ringside", "", 0644 });
    if (fs::path zsh = first_existing({ completions_source.empty() ? fs::path() : completions_source / "_ringside",
            running_prefix / data / "zsh/vendor-completions/_ringside" });
        !zsh.empty())
        items.push_back({ zsh, prefix / data / "zsh/vendor-completions/_ringside", "", 0644 });

    // The JSON Schemas of the --json documents (docs/json.md), for scripts that validate them.
    fs::path schemas_relative = data / "ringside/json-schema";
    fs::path schemas_source = RINGSIDE_SOURCE_JSON_SCHEMA_DIR;
    if (fs::path schemas = first_existing({ schemas_source, running_prefix / schemas_relative }); !schemas.empty())
        for (const auto& entry : fs::directory_iterator(schemas, error))
            if (entry.is_regular_file() && entry.path().extension() == ".json")
                items.push_back({ entry.path(), prefix / schemas_relative / entry.path().filename(), "", 0644 });
    return items;
}

// A symlink's place is free, or already holds our link; anything else (kmod's own tool) is
// left alone. Checked for every item before anything is written.
Result<bool> link_already_there(const InstallItem& item)
{
    struct stat existing {};
    if (lstat(item.destination.c_str(), &existing) != 0)
        return false;
    std::error_code error;
    if (S_ISLNK(existing.st_mode) && fs::read_symlink(item.destination, error) == item.link_target)
        return true;
    return make_error(ErrorKind::InvalidArgument,
        "refusing to replace " + item.destination.string() + ": it is not a link to ringside");
}

Result<void> install_symlink(const InstallItem& item)
{
    if (TRY(link_already_there(item)))
        return {};
    // A link under a temporary name renamed into place, like every other file we write.
    fs::path temporary = item.destination;
    temporary += ".ringside-tmp";
    unlink(temporary.c_str());
    if (symlink(item.link_target.c_str(), temporary.c_str()) != 0 || rename(temporary.c_str(), item.destination.c_str()) != 0)
        return make_error(ErrorKind::Io, item.destination.string() + ": " + std::strerror(errno));
    return {};
}

Result<void> carry_out(const InstallItem& item)
{
    std::error_code error;
    fs::create_directories(item.destination.parent_path(), error);
    if (error)
        return make_error(ErrorKind::Io, item.destination.parent_path().string() + ": " + error.message());
    if (item.source.empty())
        return install_symlink(item);
    std::string content = TRY(read_small_file(item.source.string(), 1u << 30));
    return write_file_atomically(item.destination.string(), content, item.mode);
}

}  // namespace

int cmd_install(int argc, char** argv)
{
    auto request = parse_install_arguments(argc, argv);
    if (!request) {
        std::fprintf(stderr, "%s: %s\n", argv[0], request.error().message.c_str());
        return 1;
    }
    if (request->help) {
        std::fputs(usage, stdout);
        return 0;
    }
    auto plan = plan_install(*request);
    if (!plan) {
        std::fprintf(stderr, "%s: %s\n", argv[0], plan.error().message.c_str());
        return 1;
    }
    for (const InstallItem& item : *plan) {
        if (item.source.empty()) {
            if (auto place = link_already_there(item); !place) {
                std::fprintf(stderr, "%s: %s\n", argv[0], place.error().message.c_str());
                return 1;
            }
        }
    }
    for (const InstallItem& item : *plan) {
        if (request->dry_run) {
            if (item.source.empty())
                std::printf("would link %s -> %s\n", item.destination.c_str(), item.link_target.c_str());
            else
                std::printf("would install %s -> %s\n", item.source.c_str(), item.destination.c_str());
            continue;
        }
        if (auto done = carry_out(item); !done) {
            std::fprintf(stderr, "%s: %s\n", argv[0], done.error().message.c_str());
            return 1;
        }
        std::printf("%s\n", item.destination.c_str());
    }
    return 0;
}

}  // namespace ringside::cli
