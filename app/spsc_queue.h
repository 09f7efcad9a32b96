// A bounded single-producer single-consumer queue of pointers, lock-free, with blocking waits
// that cost no system call while the other side keeps up. The pipeline uses two per worker:
// full packet batches from the reader to the worker, and empty ones back.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace otsentry::app {

template <typename T>
class SpscQueue {
public:
    // `capacity` is rounded up to a power of two.
    explicit SpscQueue(size_t capacity)
    {
        size_t n = 2;
        while (n < capacity)
            n *= 2;
        mask_ = n - 1;
        slots_ = std::make_unique<T*[]>(n);
    }

    // Producer side. False when full.
    bool try_push(T* item) noexcept
    {
        const size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - head_cache_ > mask_) {
            head_cache_ = head_.load(std::memory_order_acquire);
            if (tail - head_cache_ > mask_) return false;
        }
        slots_[tail & mask_] = item;
        tail_.store(tail + 1, std::memory_order_seq_cst);  // ordered before the sleeper check
        wake(consumer_sleeping_);
        return true;
    }

    // Consumer side. nullptr when empty.
    T* try_pop() noexcept
    {
        const size_t head = head_.load(std::memory_order_relaxed);
        if (head == tail_cache_) {
            tail_cache_ = tail_.load(std::memory_order_acquire);
            if (head == tail_cache_) return nullptr;
        }
        T* item = slots_[head & mask_];
        head_.store(head + 1, std::memory_order_seq_cst);
        wake(producer_sleeping_);
        return item;
    }

    // Blocking forms: spin briefly, then sleep until the other side makes progress.
    void push(T* item) noexcept
    {
        while (!try_push(item))
            sleep_until(producer_sleeping_, [&] { return !full(); });
    }

    T* pop() noexcept
    {
        for (;;) {
            if (T* item = try_pop()) return item;
            sleep_until(consumer_sleeping_, [&] { return !empty(); });
        }
    }

    [[nodiscard]] bool empty() const noexcept
    {
        return head_.load(std::memory_order_seq_cst) == tail_.load(std::memory_order_seq_cst);
    }
    [[nodiscard]] bool full() const noexcept
    {
        return tail_.load(std::memory_order_seq_cst) - head_.load(std::memory_order_seq_cst) > mask_;
    }

    // How often a side had to sleep (the queue was empty or full).
    [[nodiscard]] uint64_t producer_waits() const noexcept
    {
        return producer_waits_.load(std::memory_order_relaxed);
    }
    [[nodiscard]] uint64_t consumer_waits() const noexcept
    {
        return consumer_waits_.load(std::memory_order_relaxed);
    }

private:
    template <typename Ready>
    void sleep_until(std::atomic<uint32_t>& sleeping, Ready&& ready) noexcept
    {
        for (int i = 0; i < 256; ++i) {
            if (ready()) return;
            __builtin_ia32_pause();
        }
        (&sleeping == &consumer_sleeping_ ? consumer_waits_ : producer_waits_)
            .fetch_add(1, std::memory_order_relaxed);
        // Announce the sleep, then look again: a push/pop after the look sees the flag and wakes us.
        sleeping.store(1, std::memory_order_seq_cst);
        if (!ready()) sleeping.wait(1, std::memory_order_seq_cst);
        sleeping.store(0, std::memory_order_relaxed);
    }

    static void wake(std::atomic<uint32_t>& sleeping) noexcept
    {
        if (sleeping.load(std::memory_order_seq_cst) != 0) {
            sleeping.store(0, std::memory_order_seq_cst);
            sleeping.notify_one();
        }
    }

    static constexpr size_t line = 64;
    alignas(line) std::atomic<size_t> head_{0};
    size_t tail_cache_ = 0;  // consumer's view of tail
    alignas(line) std::atomic<size_t> tail_{0};
    size_t head_cache_ = 0;  // producer's view of head
    alignas(line) std::atomic<uint32_t> consumer_sleeping_{0};
    alignas(line) std::atomic<uint32_t> producer_sleeping_{0};
    std::atomic<uint64_t> producer_waits_{0}, consumer_waits_{0};
    size_t mask_ = 0;
    std::unique_ptr<T*[]> slots_;
};

}  // namespace otsentry::app
