#include "report.h"

#include <fcntl.h>

#include "allocator.h"
#include "maps_reader.h"
#include "options.h"

namespace ringside::heap::rt {

namespace {

constexpr int report_fd_floor = 900;  // out of the way of programs that dup2 low numbers

int g_fd = -1;
bool g_bare = true;  // no log file: lines go to stderr, prefixed
u64 g_pid = 0;
u64 g_nonce = 0;
std::atomic<u64> g_seq { 0 };
std::atomic<u64> g_errors { 0 };
u64 g_modules_signature = 0;

SpinLock g_lock;
char g_storage[1 << 16];
LineBuffer g_out(g_storage, sizeof g_storage - 512);

void flush_locked()
{
    if (g_out.size())
        write_all(g_fd, g_out.data(), g_out.size());
    g_out.clear();
}

// Each line starts "<tag> <process key>"; in bare mode with a recognisable prefix.
void begin_line(char tag)
{
    if (g_out.size() > sizeof g_storage - 4096)
        flush_locked();
    if (g_bare)
        g_out.text("==ringside== ");
    g_out.ch(tag).ch(' ').dec(g_pid).ch('.').dec(g_nonce).ch(' ');
}

void end_line() { g_out.ch('\n'); }

void process_line_locked()
{
    char exe[512];
    long n = sys_readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0)
        n = 0;
    exe[n] = 0;
    begin_line('P');
    g_out.dec(g_pid).ch(' ').dec(static_cast<u64>(raw_syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0))).ch(' ').text(exe);
    end_line();
}

// The module map, from /proc/self/maps (no loader lock: this also runs in signal handlers).
void modules_locked()
{
    u64 signature = 0;
    for_each_mapping([&](const MapLine& m) {
        if (m.executable && m.path[0] == '/')
            signature = signature * 31 + m.start + m.offset;
        return true;
    });
    if (signature == g_modules_signature)
        return;
    g_modules_signature = signature;
    process_line_locked();
    for_each_mapping([&](const MapLine& m) {
        if (m.path[0] != '/')
            return true;
        begin_line('M');
        g_out.hex(m.start).ch(' ').hex(m.end).ch(' ').hex(m.offset).ch(' ').text(m.executable ? "x " : "- ").text(m.path);
        end_line();
        return true;
    });
}

void stack_line(u64 seq, const char* role, const uptr* frames, u32 depth)
{
    begin_line('S');
    g_out.dec(seq).ch(' ').text(role);
    for (u32 i = 0; i < depth; ++i)
        g_out.ch(' ').hex(frames[i]);
    end_line();
}

void stored_stack_line(u64 seq, const char* role, u32 id)
{
    uptr frames[max_stack_frames];
    u32 depth = stack_depot_get(id, frames, max_stack_frames);
    stack_line(seq, role, frames, depth);
}

void field(const char* name, u64 value)
{
    g_out.ch(' ').text(name).ch('=').hex(value);
}

void field(const char* name, const char* value)
{
    if (value && *value)
        g_out.ch(' ').text(name).ch('=').text(value);
}

}  // namespace

const char* alloc_kind_name(AllocKind kind)
{
    switch (kind) {
    case AllocKind::Malloc: return "malloc";
    case AllocKind::New: return "new";
    case AllocKind::NewArray: return "new[]";
    case AllocKind::Internal: return "internal";
    }
    return "?";
}

void report_channel_init()
{
    g_pid = static_cast<u64>(sys_getpid());
    g_nonce = monotonic_ns() % 1000000007ull;
    g_modules_signature = 0;
    if (g_options.log && g_options.log[0]) {
        int fd = static_cast<int>(sys_open(g_options.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
        if (fd >= 0) {
            int high = static_cast<int>(sys_fcntl(fd, F_DUPFD_CLOEXEC, report_fd_floor));
            if (high >= 0) {
                sys_close(fd);
                fd = high;
            }
            g_fd = fd;
            g_bare = false;
            return;
        }
    }
    g_fd = static_cast<int>(sys_fcntl(2, F_DUPFD_CLOEXEC, report_fd_floor));
    if (g_fd < 0)
        g_fd = 2;
    g_bare = true;
}

void report_channel_after_fork()
{
    g_lock.reset();
    g_out.clear();
    g_pid = static_cast<u64>(sys_getpid());
    g_nonce = monotonic_ns() % 1000000007ull;
    g_modules_signature = 0;
}

int report_fd() { return g_fd; }

u64 errors_reported() { return g_errors.load(std::memory_order_relaxed); }

namespace {
[[gnu::tls_model("initial-exec")]] thread_local uptr t_reported_use_after_free = 0;
}  // namespace

void note_reported_use_after_free(uptr block_user) { t_reported_use_after_free = block_user; }
bool use_after_free_just_reported(uptr block_user)
{
    return block_user && t_reported_use_after_free == block_user;
}

void report_error(ErrorReport& r)
{
    if (g_errors.fetch_add(1, std::memory_order_relaxed) >= g_options.max_errors)
        return;
    ReentryGuard reentry;
    uptr now[max_stack_frames];
    if (!r.now_frames) {
        r.now_depth = capture_stack(now, max_stack_frames);
        r.now_frames = now;
    }
    LockGuard guard(g_lock);
    modules_locked();
    u64 seq = g_seq.fetch_add(1, std::memory_order_relaxed) + 1;
    begin_line('E');
    g_out.dec(seq).ch(' ').text(r.kind);
    field("detail", r.detail);
    field("fn", r.function);
    field("addr", r.address);
    if (r.access_size)
        field("access", r.access_size);
    field("dealloc", r.dealloc);
    field("symbol", r.symbol);
    if (r.has_block) {
        field("block", r.block.user);
        field("size", r.block.size);
        field("state", r.block.state == ChunkState::Freed ? "freed" : "live");
        field("alloc", alloc_kind_name(r.block.kind));
    }
    end_line();
    stack_line(seq, "at", r.now_frames, r.now_depth);
    if (r.has_block) {
        if (r.block.state == ChunkState::Freed && r.block.free_stack)
            stored_stack_line(seq, "free", r.block.free_stack);
        stored_stack_line(seq, "alloc", r.block.alloc_stack);
    }
    begin_line('Z');
    g_out.dec(seq);
    end_line();
    flush_locked();
}

ReportBatch::ReportBatch(bool in_signal)
{
    m_locked = in_signal ? g_lock.try_lock_for(1000) : (g_lock.lock(), true);
    modules_locked();
}

ReportBatch::~ReportBatch()
{
    flush_locked();
    if (m_locked)
        g_lock.unlock();
}

void ReportBatch::leak(const char* detail, u32 stack, u64 blocks, u64 bytes)
{
    u64 seq = g_seq.fetch_add(1, std::memory_order_relaxed) + 1;
    begin_line('E');
    g_out.dec(seq).text(" leak");
    field("detail", detail);
    field("blocks", blocks);
    field("bytes", bytes);
    end_line();
    stored_stack_line(seq, "alloc", stack);
    begin_line('Z');
    g_out.dec(seq);
    end_line();
}

void ReportBatch::summary(u64 live_blocks, u64 live_bytes, u64 reachable_blocks, u64 reachable_bytes,
    u64 total_allocs, u64 total_frees, u64 total_bytes)
{
    begin_line('T');
    g_out.text("summary");
    field("live_blocks", live_blocks);
    field("live_bytes", live_bytes);
    field("reachable_blocks", reachable_blocks);
    field("reachable_bytes", reachable_bytes);
    field("allocs", total_allocs);
    field("frees", total_frees);
    field("allocated", total_bytes);
    end_line();
}

void ReportBatch::growth(u64 time_ms, u32 stack, u64 blocks, u64 bytes)
{
    begin_line('G');
    g_out.dec(time_ms).ch(' ').dec(stack);
    field("blocks", blocks);
    field("bytes", bytes);
    end_line();
    // The stack itself once per batch line; the reader dedups by id.
    uptr frames[max_stack_frames];
    u32 depth = stack_depot_get(stack, frames, max_stack_frames);
    begin_line('K');
    g_out.dec(stack);
    for (u32 i = 0; i < depth; ++i)
        g_out.ch(' ').hex(frames[i]);
    end_line();
}

void ReportBatch::marker(const char* what, u64 value)
{
    begin_line('D');
    g_out.text(what).ch(' ').dec(value);
    end_line();
}

}  // namespace ringside::heap::rt
