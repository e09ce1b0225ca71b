// Admits read transactions, at most `max_readers` at once (LMDB's reader table is fixed-size),
// and lets the committer wait every one of them out to resize the map, which LMDB allows only
// while no transaction is active in the process. Writer-preferring, unlike glibc's default
// rwlock: once exclusive access is requested no new reader enters, so a steady stream of
// overlapping readers cannot starve map growth. Readers must not nest (deadlock on resize).
#pragma once
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace drover::store {

class ReaderGate {
  public:
    explicit ReaderGate(std::size_t max_readers) : max_readers_(max_readers) {}

    void enter_shared();
    void exit_shared();
    void enter_exclusive();
    void exit_exclusive();

    class Shared {
      public:
        explicit Shared(ReaderGate& gate) : gate_(&gate) { gate_->enter_shared(); }
        ~Shared() { release(); }
        Shared(const Shared&) = delete;
        Shared& operator=(const Shared&) = delete;
        void release() {
            if (gate_) gate_->exit_shared();
            gate_ = nullptr;
        }

      private:
        ReaderGate* gate_;
    };

    class Exclusive {
      public:
        explicit Exclusive(ReaderGate& gate) : gate_(gate) { gate_.enter_exclusive(); }
        ~Exclusive() { gate_.exit_exclusive(); }
        Exclusive(const Exclusive&) = delete;
        Exclusive& operator=(const Exclusive&) = delete;

      private:
        ReaderGate& gate_;
    };

  private:
    std::mutex mu_;
    std::condition_variable readers_cv_;    // readers waiting for a slot or for a resize to end
    std::condition_variable exclusive_cv_;  // the resizer waiting for readers to drain
    std::size_t max_readers_;
    std::size_t active_ = 0;
    std::size_t exclusive_waiting_ = 0;
    bool exclusive_ = false;
};

}  // namespace drover::store
