// Putting depmod's files in place without ever losing a complete set: every file is written
// and fsynced under a temporary name first; only when all of them are complete is a commit
// marker written, and then they are renamed over the old ones. A failure before the marker
// (full disk, I/O error, kill) leaves the previous files untouched; a kill during the renames
// leaves the marker, and the next run finishes those renames before doing anything else.
// Temporaries of killed runs without a marker are removed.
#include <cerrno>
#include <csignal>
#include <ctime>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/system_error.h"
#include "kmod/depmod.h"
#include "kmod/depmod_internal.h"

namespace ringside::kmod {

namespace {

constexpr std::string_view temp_marker = ".ringside-tmp.";
constexpr const char* commit_marker = ".ringside-depmod-commit";

const char* const all_names[] = { "modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin",
    "modules.softdep", "modules.symbols", "modules.symbols.bin", "modules.builtin.bin", "modules.builtin.alias.bin",
    "modules.devname" };

// A run killed between its commit marker and its last rename: finish its renames.
void finish_interrupted_commit(int dfd)
{
    char suffix[128] = {};
    int fd = ::openat(dfd, commit_marker, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = ::read(fd, suffix, sizeof suffix - 1);
    ::close(fd);
    if (n > 0) {
        for (const char* name : all_names) {
            std::string temp = std::string(name) + suffix;
            ::renameat(dfd, temp.c_str(), dfd, name);
        }
        ::fsync(dfd);
    }
    ::unlinkat(dfd, commit_marker, 0);
    ::fsync(dfd);
}

Result<void> write_all(int fd, std::string_view content, const std::string& path)
{
    std::size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return system_error(path, errno);
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

// Temporaries left behind by a depmod that was killed (its pid no longer runs).
void remove_stale_temporaries(int dfd)
{
    int fd = ::dup(dfd);
    DIR* d = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (!d) {
        if (fd >= 0)
            ::close(fd);
        return;
    }
    while (dirent* entry = ::readdir(d)) {
        std::string_view name = entry->d_name;
        if (name.substr(0, 8) != "modules.")
            continue;
        auto at = name.find(temp_marker);
        if (at == std::string_view::npos)
            continue;
        std::string pid_text(name.substr(at + temp_marker.size()));
        char* end = nullptr;
        long pid = std::strtol(pid_text.c_str(), &end, 10);
        if (pid <= 0 || *end != '\0')
            continue;
        if (pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
            continue;
        ::unlinkat(dfd, entry->d_name, 0);
    }
    ::closedir(d);
}

}  // namespace

Result<void> write_depmod_files(const DepmodResult& result)
{
    const std::string& dir = result.module_dir;
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return system_error("could not open directory " + dir, errno);
    finish_interrupted_commit(dfd);
    remove_stale_temporaries(dfd);
    for (const std::string& name : result.kept)
        if (::utimensat(dfd, name.c_str(), nullptr, 0) != 0) {
            int saved = errno;
            ::close(dfd);
            return system_error(dir + "/" + name, saved);
        }

    std::string suffix = std::string(temp_marker) + std::to_string(::getpid());
    std::vector<std::string> written;
    auto abandon = [&](Error error) -> Result<void> {
        for (const std::string& t : written)
            ::unlinkat(dfd, t.c_str(), 0);
        ::close(dfd);
        return error;
    };
    for (const DepmodFile& file : result.files) {
        std::string temp = file.name + suffix;
        int fd = ::openat(dfd, temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0)
            return abandon(system_error(dir + "/" + temp, errno));
        written.push_back(temp);
        auto ok = write_all(fd, file.content, dir + "/" + temp);
        if (ok && ::fsync(fd) != 0)
            ok = system_error(dir + "/" + temp, errno);
        if (::close(fd) != 0 && ok)
            ok = system_error(dir + "/" + temp, errno);
        if (!ok)
            return abandon(std::move(ok).error().with_context("Could not write index '" + file.name + "'"));
    }
    // Every new file is complete and durable: record that, then let them replace the old ones.
    if (::fsync(dfd) != 0)
        return abandon(system_error(dir, errno));
    int marker = ::openat(dfd, commit_marker, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (marker < 0)
        return abandon(system_error(dir + "/" + commit_marker, errno));
    auto marked = write_all(marker, suffix, dir + "/" + commit_marker);
    if (marked && ::fsync(marker) != 0)
        marked = system_error(dir + "/" + commit_marker, errno);
    ::close(marker);
    if (!marked || ::fsync(dfd) != 0) {
        ::unlinkat(dfd, commit_marker, 0);
        return abandon(marked ? system_error(dir, errno) : std::move(marked).error());
    }
    for (std::size_t i = 0; i < result.files.size(); i++) {
        if (::renameat(dfd, written[i].c_str(), dfd, result.files[i].name.c_str()) != 0) {
            int saved = errno;
            written.erase(written.begin(), written.begin() + static_cast<long>(i));
            return abandon(system_error("renameat(" + dir + ", " + result.files[i].name + ")", saved));
        }
    }
    ::fsync(dfd);
    ::unlinkat(dfd, commit_marker, 0);
    ::fsync(dfd);
    ::close(dfd);
    return {};
}

namespace {

// 1: no module newer than `mtime`; 0: one is newer.
int up_to_date_dir(const std::string& path, std::time_t mtime, const DepmodLog& log)
{
    DIR* d = ::opendir(path.c_str());
    if (!d)
        return 1;
    int result = 1;
    while (dirent* entry = ::readdir(d)) {
        std::string_view name = entry->d_name;
        if (name == "." || name == ".." || name == "build" || name == "source")
            continue;
        std::string full = path + "/" + std::string(name);
        struct stat st;
        if (::stat(full.c_str(), &st) != 0) {
            log(DepmodLevel::Error, "fstatat(" + full + "): " + std::strerror(errno));
            continue;
        }
        int r = 1;
        if (S_ISDIR(st.st_mode))
            r = up_to_date_dir(full, mtime, log);
        else if (S_ISREG(st.st_mode) && depmod_detail::has_module_extension(name))
            r = st.st_mtime <= mtime ? 1 : 0;
        if (r == 0) {
            result = 0;
            break;
        }
    }
    ::closedir(d);
    return result;
}

}  // namespace

bool depmod_files_up_to_date(const std::string& module_dir, const DepmodLog& log)
{
    struct stat st;
    std::string dep = module_dir + "/modules.dep";
    if (::stat(module_dir.c_str(), &st) != 0) {
        log(DepmodLevel::Error, "could not open directory " + module_dir + ": " + std::strerror(errno));
        return false;
    }
    if (::stat(dep.c_str(), &st) != 0) {
        log(DepmodLevel::Error, "could not fstatat(" + module_dir + ", modules.dep): " + std::strerror(errno));
        return false;
    }
    return up_to_date_dir(module_dir, st.st_mtime, log) == 1;
}

}  // namespace ringside::kmod
