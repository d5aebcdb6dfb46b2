#include "kmod/depmod.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

#include "base/mapped_file.h"
#include "kmod/depmod_cache.h"
#include "kmod/depmod_config.h"
#include "kmod/depmod_facts.h"
#include "kmod/depmod_internal.h"
#include "kmod/hash_order.h"

namespace ringside::kmod {

std::string depmod_module_dir(const std::string& base_dir, const std::string& kernel_version)
{
    std::string root = base_dir;
    if (!root.empty() && root[0] != '/') {
        // kmod makes -b absolute by prefixing the working directory.
        char cwd[4096];
        if (::getcwd(cwd, sizeof cwd))
            root = std::string(cwd) + "/" + root;
    }
    return root + "/lib/modules/" + kernel_version;
}

namespace depmod_detail {

// kmod's module name: the file's basename up to the first '.', '-' turned into '_'.
std::string module_name_of(std::string_view path)
{
    auto slash = path.rfind('/');
    std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
    std::string name;
    for (char c : base) {
        if (c == '.' || c == '\0')
            break;
        name.push_back(c == '-' ? '_' : c);
    }
    return name;
}

bool has_module_extension(std::string_view name)
{
    for (std::string_view ext : { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" })
        if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext)
            return true;
    return false;
}

}  // namespace depmod_detail

using namespace depmod_detail;

namespace {

std::string errno_text(int number) { return std::strerror(number); }

// One module file kmod keeps after duplicate resolution.
struct Candidate {
    std::string path;      // as kmod builds it (absolute)
    std::string name;      // normalized module name
    std::size_t dir_len;   // length of the directory part, without the last '/'
    bool under_dir = false;
    std::string relpath;     // path relative to the module directory (if under it)
    std::string uncrelpath;  // relpath as modules.order spells it ("<dir>/<name>.ko")
    CacheKey identity;       // from the walk (fstatat in its directory); zero: not known yet
};

class Scanner {
public:
    Scanner(const std::string& module_dir, const DepmodConfig& config, const DepmodLog& log)
        : m_dir(module_dir), m_config(config), m_log(log)
    {
        // A distribution kernel has thousands of modules: growing by doubling moved every
        // candidate's strings a dozen times.
        m_modules.reserve(8192);
        m_by_name.reserve(8192);
    }

    // Adds the file at `path` unless a module of that name with higher priority is known.
    void consider(const std::string& path, const CacheKey& identity = {})
    {
        std::string name = module_name_of(path);
        auto found = m_by_name.find(name);
        if (found != m_by_name.end()) {
            if (old_is_preferred(m_modules[found->second], path, name.size()))
                return;
            m_modules[found->second] = make_candidate(path, std::move(name));
            m_modules[found->second].identity = identity;
            return;
        }
        m_by_name.emplace(name, m_modules.size());
        m_modules.push_back(make_candidate(path, std::move(name)));
        m_modules.back().identity = identity;
    }

    // Adds an explicitly named module file: a second module of the same name is an error.
    Result<void> add_explicit(const std::string& path)
    {
        std::string name = module_name_of(path);
        if (auto found = m_by_name.find(name); found != m_by_name.end()) {
            const std::string& old_path = m_modules[found->second].path;
            if (old_path != path) {
                m_log(DepmodLevel::Error, "module '" + name + "' already exists with different path: new-path='" + path
                        + "' old-path='" + old_path + "'");
                return make_error(ErrorKind::InvalidArgument, "could not create module " + path + ": " + errno_text(EEXIST));
            }
            m_log(DepmodLevel::Error, "hash_add_unique " + name + ": " + errno_text(EEXIST));
            return make_error(ErrorKind::InvalidArgument, "could not add module " + path + ": " + errno_text(EEXIST));
        }
        m_by_name.emplace(name, m_modules.size());
        m_modules.push_back(make_candidate(path, std::move(name)));
        return {};
    }

    // Walks a directory tree in readdir order, as kmod does (so ties between duplicates
    // resolve the same way on the same filesystem).
    Result<void> walk(const std::string& dir)
    {
        DIR* d = ::opendir(dir.c_str());
        if (!d)
            return make_error(ErrorKind::NotFound, "could not open directory " + dir + ": " + errno_text(errno));
        walk_open(d, dir);
        ::closedir(d);
        return {};
    }

    std::vector<Candidate> take() { return std::move(m_modules); }

private:
    bool excluded(const char* name) const
    {
        if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0)
            return true;
        if (std::strcmp(name, "build") == 0 || std::strcmp(name, "source") == 0)
            return true;
        for (const std::string& e : m_config.excludes)
            if (e == name)
                return true;
        return false;
    }

    void walk_open(DIR* d, const std::string& dir)
    {
        int dfd = ::dirfd(d);
        while (dirent* entry = ::readdir(d)) {
            const char* name = entry->d_name;
            if (excluded(name))
                continue;
            std::string path = dir + "/" + name;
            bool is_dir;
            if (entry->d_type == DT_REG) {
                is_dir = false;
            } else if (entry->d_type == DT_DIR) {
                is_dir = true;
            } else {
                struct stat st;
                if (::fstatat(dfd, name, &st, 0) < 0) {
                    m_log(DepmodLevel::Error, "fstatat(" + std::to_string(dfd) + ", " + name + "): " + errno_text(errno));
                    continue;
                }
                if (S_ISREG(st.st_mode)) {
                    is_dir = false;
                } else if (S_ISDIR(st.st_mode)) {
                    is_dir = true;
                } else {
                    char mode[16];
                    std::snprintf(mode, sizeof mode, "%o", st.st_mode & S_IFMT);
                    m_log(DepmodLevel::Error, "unsupported file type " + path + ": " + mode);
                    continue;
                }
            }
            if (is_dir) {
                int fd = ::openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                DIR* sub = fd >= 0 ? ::fdopendir(fd) : nullptr;
                if (!sub) {
                    if (fd >= 0)
                        ::close(fd);
                    m_log(DepmodLevel::Error, "opendir(" + path + "): " + errno_text(errno));
                    continue;
                }
                walk_open(sub, path);
                ::closedir(sub);
            } else if (has_module_extension(name)) {
                // Stat'ed here, relative to the open directory, for the cache: cheaper than
                // a lookup of the whole path later.
                struct stat st;
                CacheKey identity;
                if (::fstatat(dfd, name, &st, 0) == 0)
                    identity = file_identity(st);
                consider(path, identity);
            }
        }
    }

    Candidate make_candidate(const std::string& path, std::string name) const
    {
        Candidate c;
        c.path = path;
        c.name = std::move(name);
        c.dir_len = path.rfind('/');
        if (path.compare(0, m_dir.size(), m_dir) == 0 && path.size() > m_dir.size() && path[m_dir.size()] == '/') {
            c.under_dir = true;
            c.relpath = path.substr(m_dir.size() + 1);
            // kmod copies "<relative dir>/" plus as many bytes as the module name has, plus
            // three: "x.ko.xz" becomes "x.ko" (modules.order lists uncompressed names).
            std::size_t rel_dir_end = c.dir_len - (m_dir.size() + 1) + 1;  // through the last '/'
            if (c.dir_len <= m_dir.size())
                rel_dir_end = 0;
            c.uncrelpath = c.relpath.substr(0, rel_dir_end + c.name.size() + 3);
        }
        return c;
    }

    // kmod's depmod_module_is_higher_priority(): true when the module already found wins.
    bool old_is_preferred(const Candidate& old, const std::string& new_path, std::size_t name_len) const
    {
        std::size_t new_len = new_path.rfind('/') + 1 + name_len;
        std::size_t old_len = old.dir_len + 1 + old.name.size();
        std::size_t dir_len = m_dir.size();
        std::string_view rel_new, rel_old;
        bool have_new = new_path.compare(0, dir_len, m_dir) == 0 && new_len >= dir_len + 1;
        bool have_old = old.path.compare(0, dir_len, m_dir) == 0 && old_len >= dir_len + 1;
        if (have_new)
            rel_new = std::string_view(new_path).substr(dir_len + 1, new_len - (dir_len + 1));
        if (have_old)
            rel_old = std::string_view(old.path).substr(dir_len + 1, old_len - (dir_len + 1));

        for (const std::string& ov : m_config.overrides) {
            if (have_new && rel_new == ov)
                return false;
            if (have_old && rel_old == ov)
                return true;
        }

        auto in_search = [](bool have, std::string_view rel, const std::string& dir) {
            return have && rel.size() > dir.size() && rel[dir.size()] == '/' && rel.substr(0, dir.size()) == dir;
        };
        auto in_external = [](std::string_view path, const std::string& ext) {
            return path.size() > ext.size() && path.substr(0, ext.size()) == ext && path[ext.size()] == '/';
        };
        int i = 0, builtin_prio = -1, old_prio = -1, new_prio = -1;
        for (const DepmodSearch& search : m_config.searches) {
            if (search.kind == DepmodSearch::Kind::BuiltIn) {
                builtin_prio = i;
            } else if (search.kind == DepmodSearch::Kind::External) {
                for (const std::string& ext : m_config.externals) {
                    if (new_prio < 0 && in_external(new_path, ext))
                        new_prio = i;
                    if (old_prio < 0 && in_external(old.path, ext))
                        old_prio = i;
                    i++;
                }
            } else if (new_prio < 0 && in_search(have_new, rel_new, search.path)) {
                new_prio = i;
            } else if (old_prio < 0 && in_search(have_old, rel_old, search.path)) {
                old_prio = i;
            }
            i++;
        }
        if (new_prio < 0)
            new_prio = builtin_prio;
        if (old_prio < 0)
            old_prio = builtin_prio;
        return new_prio <= old_prio;
    }

    const std::string& m_dir;
    const DepmodConfig& m_config;
    const DepmodLog& m_log;
    std::vector<Candidate> m_modules;
    std::unordered_map<std::string, std::size_t> m_by_name;
};

// Opens a file in the module directory the way kmod's dfdopen() does, warning when it can't.
std::optional<std::string> read_tree_file(const std::string& dir, const std::string& name, const DepmodLog& log)
{
    std::string path = dir + "/" + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        log(DepmodLevel::Warning, "could not open " + name + " at " + dir + ": " + errno_text(errno));
        return std::nullopt;
    }
    ::close(fd);
    auto text = read_small_file(path, 1u << 30);
    if (!text) {
        log(DepmodLevel::Warning, "could not open " + name + " at " + dir + ": " + text.error().message);
        return std::nullopt;
    }
    return std::move(*text);
}

// kmod's depmod_modules_sort(): modules listed in modules.order move to the front in file
// order (the last of duplicate lines wins); a stable sort keeps the rest in hash order.
void apply_modules_order(std::vector<Candidate>& modules, const std::string& dir, const DepmodLog& log)
{
    auto text = read_tree_file(dir, "modules.order", log);
    if (!text)
        return;
    // fgets() with a PATH_MAX buffer: longer lines come in pieces.
    std::vector<std::string_view> lines;
    std::string_view rest = *text;
    constexpr std::size_t chunk = 4095;
    while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::size_t len = nl == std::string_view::npos ? rest.size() : nl + 1;
        len = std::min(len, chunk);
        lines.push_back(rest.substr(0, len));
        rest.remove_prefix(len);
    }
    for (std::size_t i = 0; i < lines.size(); i++) {
        if (lines[i].back() != '\n') {
            log(DepmodLevel::Error, dir + "/modules.order:" + std::to_string(i + 1) + " corrupted line misses '\\n'");
            return;
        }
    }
    std::unordered_map<std::string_view, std::size_t> by_uncrelpath;
    for (std::size_t i = 0; i < modules.size(); i++)
        if (modules[i].under_dir)
            by_uncrelpath.emplace(modules[i].uncrelpath, i);
    std::vector<long> sort_idx(modules.size(), 1);
    long total = static_cast<long>(lines.size()) + 1;
    for (std::size_t i = 0; i < lines.size(); i++) {
        std::string_view line = lines[i].substr(0, lines[i].size() - 1);
        // fgets stops at a NUL too: kmod's strlen() sees only what precedes it.
        line = line.substr(0, line.find('\0'));
        auto found = by_uncrelpath.find(line);
        if (found != by_uncrelpath.end())
            sort_idx[found->second] = static_cast<long>(i + 1) - total;
    }
    std::vector<std::size_t> order(modules.size());
    for (std::size_t i = 0; i < order.size(); i++)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sort_idx[a] < sort_idx[b]; });
    std::vector<Candidate> sorted;
    sorted.reserve(modules.size());
    for (std::size_t i : order)
        sorted.push_back(std::move(modules[i]));
    modules = std::move(sorted);
}

// What the modules are, as far as depmod's outputs go: each one's encoded facts, from the
// cache when the file is unchanged, else read (in parallel). `changed` says whether any
// module's facts differ from what the cache held for its path.
struct LoadedFacts {
    std::vector<std::string_view> encoded;  // into `cache` or `read`
    std::vector<std::optional<ModuleFacts>> read;
    std::vector<std::string> read_encoded;
    bool changed = false;
};

LoadedFacts load_facts(const std::vector<Candidate>& modules, const DepmodRequest& request, DepmodCache& cache,
    std::size_t& from_cache)
{
    LoadedFacts loaded;
    loaded.encoded.resize(modules.size());
    loaded.read.resize(modules.size());
    loaded.read_encoded.resize(modules.size());
    std::vector<CacheKey> keys(modules.size());
    from_cache = 0;
    for (std::size_t i = 0; i < modules.size(); i++) {
        keys[i] = modules[i].identity.inode ? modules[i].identity : file_identity(modules[i].path);
        if (auto cached = cache.find(modules[i].path, keys[i]); cached && keys[i].inode) {
            loaded.encoded[i] = *cached;
            from_cache++;
        }
    }
    const bool use_cache = !request.cache_file.empty();
    std::atomic<std::size_t> next { 0 };
    auto worker = [&] {
        for (;;) {
            std::size_t i = next.fetch_add(1);
            if (i >= modules.size())
                return;
            if (loaded.encoded[i].data())
                continue;
            loaded.read[i] = read_module_facts(modules[i].path);
            if (use_cache)
                loaded.read_encoded[i] = DepmodCache::encode_facts(*loaded.read[i]);
        }
    };
    unsigned threads = request.threads ? request.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, modules.size() - from_cache));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; t++)
        pool.emplace_back(worker);
    worker();
    for (auto& t : pool)
        t.join();

    if (!use_cache)
        return loaded;
    for (std::size_t i = 0; i < modules.size(); i++) {
        if (!loaded.read[i])
            continue;
        auto before = cache.find_any(modules[i].path);
        if (!before || *before != loaded.read_encoded[i])
            loaded.changed = true;
        if (keys[i].inode)
            cache.put(modules[i].path, keys[i], loaded.read_encoded[i]);
        loaded.encoded[i] = loaded.read_encoded[i];
    }
    std::vector<std::string_view> present;
    present.reserve(modules.size());
    for (const Candidate& m : modules)
        present.push_back(m.path);
    if (cache.keep_only(present))
        loaded.changed = true;
    return loaded;
}

// Everything besides the module facts that the outputs are made from, byte-exact, so that a
// rerun can tell whether it would produce the files the last run wrote.
std::string describe_inputs(const DepmodRequest& request, const std::string& dir, const std::vector<Candidate>& modules)
{
    std::string d;
    auto add = [&](std::string_view field) {
        d += std::to_string(field.size());
        d += ':';
        d += field;
    };
    auto add_file = [&](const std::string& path) {
        CacheKey k = file_identity(path);
        add(path);
        add(std::to_string(k.size) + "," + std::to_string(k.mtime_ns) + "," + std::to_string(k.inode) + ","
            + std::to_string(k.device));
    };
    add(request.producer);
    add(dir);
    add(request.base_dir);
    add(request.kernel_version);
    for (const std::string& path : request.config_paths)
        add(path);
    add("files");
    for (const std::string& path : request.module_files)
        add(path);
    add("symbols");
    if (request.symvers_file)
        add_file(*request.symvers_file);
    if (request.system_map_file)
        add_file(*request.system_map_file);
    add(std::string { request.report_unknown ? 'e' : '-', request.warn_duplicates ? 'w' : '-',
        request.symbol_prefix ? request.symbol_prefix : '-', request.layout == IndexLayout::PostOrder ? 'p' : 'r' });
    for (const char* name : { "modules.order", "modules.builtin", "modules.builtin.modinfo" })
        add_file(dir + "/" + name);
    add("modules");
    for (const Candidate& m : modules) {
        add(m.name);
        add(m.path);
        add(m.under_dir ? m.relpath : m.path);
    }
    return d;
}

// True when the last run's inputs were these and its files are still the ones it wrote.
bool last_outputs_still_valid(const DepmodCache& cache, const std::string& inputs, const std::string& dir)
{
    const auto& last = cache.last_run();
    if (!last || last->inputs != inputs || last->outputs.empty())
        return false;
    for (const auto& output : last->outputs)
        if (!(file_identity(dir + "/" + output.name) == output.key))
            return false;
    return true;
}

}  // namespace

Result<DepmodResult> run_depmod(const DepmodRequest& request, const DepmodLog& log)
{
    DepmodResult result;
    result.module_dir = depmod_module_dir(request.base_dir, request.kernel_version);
    const std::string& dir = result.module_dir;

    State state;
    state.request = &request;
    state.log = &log;

    if (request.symvers_file) {
        TRY_VOID(load_symvers(state, *request.symvers_file));
    } else if (request.system_map_file) {
        TRY_VOID(load_system_map(state, *request.system_map_file));
    } else if (request.report_unknown) {
        log(DepmodLevel::Warning, "-e needs -E or -F");
    }
    state.report_unknown = request.report_unknown && (request.symvers_file || request.system_map_file);
    state.check_crcs = request.symvers_file.has_value();

    DepmodConfig config;
    std::vector<Candidate> modules;
    if (request.module_files.empty()) {
        config = load_depmod_config(request.config_paths.empty() ? default_depmod_config_paths() : request.config_paths,
            request.kernel_version, log);
        Scanner scanner(dir, config, log);
        auto walked = scanner.walk(dir);
        if (!walked) {
            log(DepmodLevel::Error, walked.error().message);
            return make_error(ErrorKind::NotFound, "could not search modules: " + errno_text(ENOENT));
        }
        for (const std::string& ext : config.externals) {
            // kmod reports an external directory it cannot open, then carries on.
            if (auto walked_ext = scanner.walk(ext); !walked_ext)
                log(DepmodLevel::Error, walked_ext.error().message);
        }
        modules = scanner.take();
    } else {
        Scanner scanner(dir, config, log);
        for (const std::string& path : request.module_files) {
            if (path.empty() || path[0] != '/')
                return make_error(ErrorKind::InvalidArgument, path + ": not absolute path.");
            struct stat st;
            if (::stat(path.c_str(), &st) != 0)
                return make_error(ErrorKind::NotFound, "could not create module " + path + ": " + errno_text(errno));
            TRY_VOID(scanner.add_explicit(path));
        }
        modules = scanner.take();
    }

    sort_in_hash_order(modules, module_hash_buckets, [](const Candidate& c) -> const std::string& { return c.name; });
    apply_modules_order(modules, dir, log);

    auto cache = std::make_shared<DepmodCache>();
    if (!request.cache_file.empty())
        *cache = DepmodCache::load(request.cache_file);
    LoadedFacts loaded = load_facts(modules, request, *cache, result.modules_from_cache);
    result.module_count = modules.size();
    if (!request.cache_file.empty()) {
        result.cache = cache;
        result.inputs = describe_inputs(request, dir, modules);
        if (!loaded.changed && !request.dry_run && last_outputs_still_valid(*cache, result.inputs, dir)) {
            // The same inputs give the same files: keep them, and say what the last run said.
            for (const auto& message : cache->last_run()->messages)
                log(message.level, message.text);
            result.messages = cache->last_run()->messages;
            for (const auto& output : cache->last_run()->outputs)
                result.kept.push_back(output.name);
            return result;
        }
    }

    state.modules.reserve(modules.size());
    for (std::size_t i = 0; i < modules.size(); i++) {
        Module m;
        m.name = modules[i].name;
        m.path = modules[i].path;
        m.output_path = modules[i].under_dir ? modules[i].relpath : modules[i].path;
        if (loaded.read[i]) {
            m.facts = std::move(*loaded.read[i]);
        } else {
            auto decoded = DepmodCache::decode_facts(loaded.encoded[i]);
            m.facts = decoded ? std::move(*decoded) : read_module_facts(modules[i].path);
        }
        state.modules.push_back(std::move(m));
    }

    // What is logged from here on is what a rerun that keeps the files must say again.
    DepmodLog recording = [&](DepmodLevel level, const std::string& text) {
        result.messages.push_back({ level, text });
        log(level, text);
    };
    state.log = &recording;
    resolve_symbols(state);
    TRY_VOID(number_dependencies(state));
    TRY_VOID(render_outputs(state, dir, result.files));
    state.log = &log;
    return result;
}

void remember_depmod_run(const DepmodRequest& request, const DepmodResult& result, bool written)
{
    if (request.cache_file.empty() || !result.cache)
        return;
    std::optional<DepmodLastRun> run;
    if (written) {
        run.emplace();
        run->inputs = result.inputs;
        run->messages = result.messages;
        auto remember = [&](const std::string& name) {
            CacheKey key = file_identity(result.module_dir + "/" + name);
            run->outputs.push_back({ name, key });
            return key.inode != 0;
        };
        bool complete = true;
        for (const DepmodFile& file : result.files)
            complete = remember(file.name) && complete;
        for (const std::string& name : result.kept)
            complete = remember(name) && complete;
        if (!complete)
            run.reset();
    }
    result.cache->set_last_run(std::move(run));
    (void)result.cache->save(request.cache_file);  // a cache that cannot be written is only slower
}

std::string depmod_dry_run_text(const DepmodResult& result)
{
    std::string text;
    for (const DepmodFile& f : result.files)
        text += f.content;
    return text;
}

}  // namespace ringside::kmod
