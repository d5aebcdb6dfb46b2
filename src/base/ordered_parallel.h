// Work on many independent items whose results must come out in input order (pmap prints
// processes in the order given; mem keeps PID order): worker threads produce ahead, the
// calling thread consumes in order, and a window bounds how far ahead they may run, so
// memory stays at `window` results however many items there are.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace ringside {

// Calls produce(i) for every i in [0, count) on up to `threads` worker threads and
// consume(i, result) on the calling thread in index order. consume returns false to stop
// early (items not yet consumed are dropped). produce must not throw.
template <class T, class Produce, class Consume>
void ordered_parallel(std::size_t count, unsigned threads, std::size_t window, Produce produce, Consume consume)
{
    if (threads <= 1 || count < 2) {
        for (std::size_t i = 0; i < count; ++i)
            if (!consume(i, produce(i)))
                return;
        return;
    }
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, count));
    window = std::max<std::size_t>(window, threads);
    std::vector<std::optional<T>> slots(window);
    std::mutex mutex;
    std::condition_variable produced, consumed;
    std::size_t next_claim = 0, next_consume = 0;
    bool stopping = false;

    auto work = [&] {
        std::unique_lock lock(mutex);
        for (;;) {
            consumed.wait(lock, [&] { return stopping || next_claim >= count || next_claim < next_consume + window; });
            if (stopping || next_claim >= count)
                return;
            std::size_t i = next_claim++;
            lock.unlock();
            T result = produce(i);
            lock.lock();
            slots[i % window].emplace(std::move(result));
            produced.notify_all();
        }
    };
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (unsigned t = 0; t < threads; ++t)
        workers.emplace_back(work);

    for (std::size_t i = 0; i < count; ++i) {
        std::unique_lock lock(mutex);
        produced.wait(lock, [&] { return slots[i % window].has_value(); });
        T result = std::move(*slots[i % window]);
        slots[i % window].reset();
        ++next_consume;
        consumed.notify_all();
        lock.unlock();
        if (!consume(i, std::move(result))) {
            lock.lock();
            stopping = true;
            consumed.notify_all();
            break;
        }
    }
    for (std::thread& worker : workers)
        worker.join();
}

}  // namespace ringside
