// The only outside help the preload library uses: raw system calls and a few libc entry
// points that neither allocate nor take locks a signal handler could hold. Everything here
// is usable from inside malloc and from a SIGSEGV handler (compiler-rt's sanitizer_libc idea).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <sys/syscall.h>
#include <unistd.h>

namespace ringside::heap::rt {

using u8 = std::uint8_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using uptr = std::uintptr_t;

inline long raw_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 asm("r10") = d;
    register long r8 asm("r8") = e;
    register long r9 asm("r9") = f;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return ret;
}

inline long sys_write(int fd, const void* buf, size_t n) { return raw_syscall6(SYS_write, fd, (long)buf, (long)n, 0, 0, 0); }
inline long sys_read(int fd, void* buf, size_t n) { return raw_syscall6(SYS_read, fd, (long)buf, (long)n, 0, 0, 0); }
inline long sys_open(const char* path, int flags, int mode) { return raw_syscall6(SYS_openat, -100, (long)path, flags, mode, 0, 0); }
inline long sys_close(int fd) { return raw_syscall6(SYS_close, fd, 0, 0, 0, 0, 0); }
inline long sys_pread(int fd, void* buf, size_t n, u64 offset) { return raw_syscall6(SYS_pread64, fd, (long)buf, (long)n, (long)offset, 0, 0); }
inline long sys_getpid() { return raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0); }
inline long sys_gettid() { return raw_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0); }
inline long sys_fcntl(int fd, int cmd, long arg) { return raw_syscall6(SYS_fcntl, fd, cmd, arg, 0, 0, 0); }
inline long sys_mprotect(void* p, size_t n, int prot) { return raw_syscall6(SYS_mprotect, (long)p, (long)n, prot, 0, 0, 0); }
inline long sys_munmap(void* p, size_t n) { return raw_syscall6(SYS_munmap, (long)p, (long)n, 0, 0, 0, 0); }
inline long sys_sched_yield() { return raw_syscall6(SYS_sched_yield, 0, 0, 0, 0, 0, 0); }
inline long sys_readlink(const char* path, char* buf, size_t n) { return raw_syscall6(SYS_readlinkat, -100, (long)path, (long)buf, (long)n, 0, 0); }

inline constexpr size_t page_size = 4096;
inline size_t round_up(size_t n, size_t to) { return (n + to - 1) & ~(to - 1); }

// Byte loops of our own: the library must not call the memcpy/memset it intercepts.
void fill_bytes(void* dst, u8 value, size_t n);
void copy_bytes(void* dst, const void* src, size_t n);
size_t string_length(const char* s);
bool strings_equal(const char* a, const char* b);
bool starts_with(const char* s, const char* prefix);

// A spinlock for short critical sections on the allocation path. try_lock_for() lets a
// signal handler give up instead of deadlocking on a lock its own thread holds.
class SpinLock {
public:
    void lock()
    {
        for (unsigned spins = 0; m_flag.exchange(true, std::memory_order_acquire); ++spins) {
            while (m_flag.load(std::memory_order_relaxed)) {
                if (++spins > 64) {
                    sys_sched_yield();
                    spins = 0;
                }
                __builtin_ia32_pause();
            }
        }
    }
    bool try_lock_for(unsigned attempts)
    {
        for (unsigned i = 0; i < attempts; ++i) {
            if (!m_flag.exchange(true, std::memory_order_acquire))
                return true;
            sys_sched_yield();
        }
        return false;
    }
    void unlock() { m_flag.store(false, std::memory_order_release); }
    // After fork() in the child: whoever held it no longer exists.
    void reset() { m_flag.store(false, std::memory_order_relaxed); }

private:
    std::atomic<bool> m_flag { false };
};

class LockGuard {
public:
    explicit LockGuard(SpinLock& lock) : m_lock(lock) { m_lock.lock(); }
    ~LockGuard() { m_lock.unlock(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    SpinLock& m_lock;
};

// Formats text into a fixed buffer without allocating (no printf inside malloc).
class LineBuffer {
public:
    LineBuffer(char* storage, size_t capacity) : m_data(storage), m_capacity(capacity) {}
    LineBuffer& text(const char* s);
    LineBuffer& text(const char* s, size_t n);
    LineBuffer& ch(char c);
    LineBuffer& dec(u64 v);
    LineBuffer& hex(u64 v);  // 0x-prefixed
    size_t size() const { return m_size; }
    const char* data() const { return m_data; }
    bool overflowed() const { return m_overflow; }
    void clear() { m_size = 0; m_overflow = false; }

private:
    char* m_data;
    size_t m_capacity;
    size_t m_size = 0;
    bool m_overflow = false;
};

// mmap that reports failure as nullptr; anonymous, private, never touched until used.
// Every region is remembered so the leak scan can skip our own metadata.
void* map_pages(size_t bytes);
void unmap_pages(void* p, size_t bytes);

// Structures of our own handed out in order from chunks of map_pages memory, so a chunk's pages
// are touched only as its structures come into use. The caller serialises take().
template <typename T, u64 PerChunk>
class ChunkPool {
public:
    T* take()
    {
        if (!m_left) {
            m_next = static_cast<T*>(map_pages(PerChunk * sizeof(T)));
            if (!m_next)
                return nullptr;
            m_left = PerChunk;
        }
        --m_left;
        return m_next++;
    }

private:
    T* m_next = nullptr;
    u64 m_left = 0;
};

// Makes [base, base + bytes) inaccessible and gives its memory back in one system call: a
// fresh PROT_NONE mapping over it (mprotect plus madvise would be two, each a TLB shootdown;
// mprotect alone keeps the pages resident). Falls back to mprotect if the kernel refuses.
void drop_pages(uptr base, u64 bytes);
struct MetadataRegion {
    uptr start = 0;
    uptr end = 0;
};
// Unlocked snapshot (callers hold the shard locks, so tables cannot move meanwhile).
unsigned metadata_regions(MetadataRegion* out, unsigned capacity);
void reset_metadata_lock();

// write(2) until done or a real error; EINTR retried.
void write_all(int fd, const char* data, size_t n);

u64 monotonic_ns();

}  // namespace ringside::heap::rt
