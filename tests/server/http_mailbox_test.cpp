// The loop's cross-thread plumbing in isolation: batched eventfd wake-ups, the stream buffer
// bound (which counts bytes the loop holds but has not sent), and the bounded worker pool.
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <latch>

#include "server/http/mailbox.hpp"
#include "server/http/stream.hpp"
#include "server/http/worker_pool.hpp"

using namespace drover::http;

namespace {
// The eventfd counter: how many wake-ups were written since it was last read.
std::uint64_t wakeups(const Mailbox& m) {
    std::uint64_t n = 0;
    return ::read(m.fd(), &n, sizeof n) == sizeof n ? n : 0;
}
}  // namespace

TEST_CASE("a burst of posts costs one wake-up until the loop acknowledges", "[http][mailbox]") {
    Mailbox m;
    REQUIRE(m.valid());
    for (std::uint64_t i = 0; i < 10000; ++i)
        m.post_stream(i);
    m.post_completion({7, {}});
    CHECK(wakeups(m) == 1);
    m.acknowledge();
    CHECK(m.take_streams().size() == 10000);
    CHECK(m.take_completions().size() == 1);
    m.post_stream(1);  // after acknowledge() the next post wakes the loop again
    m.post_stream(2);
    CHECK(wakeups(m) == 1);
}

TEST_CASE("a stream posts itself once per drain and counts unsent bytes", "[http][mailbox]") {
    auto m = std::make_shared<Mailbox>();
    StreamImpl s(42, 100, m);
    CHECK(s.write(std::string(40, 'a')));
    CHECK(s.write(std::string(40, 'b')));
    CHECK_FALSE(s.write(std::string(40, 'c')));  // 120 > 100
    m->acknowledge();
    CHECK(m->take_streams() == std::vector<std::uint64_t>{42});
    std::string out;
    CHECK_FALSE(s.drain_into(out));
    CHECK(out.size() == 80);
    s.set_unsent(80);  // the socket took nothing yet: the bound still counts those bytes
    CHECK_FALSE(s.write(std::string(40, 'd')));
    s.set_unsent(0);
    CHECK(s.write(std::string(40, 'd')));
    s.finish();
    CHECK_FALSE(s.is_open());
    CHECK_FALSE(s.write("x"));
    out.clear();
    CHECK(s.drain_into(out));  // finishing: the loop closes after flushing
    s.mark_closed();
    CHECK_FALSE(s.write("x"));
}

TEST_CASE("the worker pool refuses beyond its queue bound, stop() waits for the running job",
          "[http][mailbox]") {
    WorkerPool pool(1, 2);
    std::latch started(1), release(1);
    std::atomic<int> ran{0};
    REQUIRE(pool.try_submit([&] {
        started.count_down();
        release.wait();
        ++ran;
    }));
    started.wait();  // the only worker is busy
    CHECK(pool.try_submit([&] { ++ran; }));
    CHECK(pool.try_submit([&] { ++ran; }));
    CHECK_FALSE(pool.try_submit([&] { ++ran; }));  // two already wait
    std::thread stopper([&] { pool.stop(); });
    release.count_down();
    stopper.join();
    CHECK(ran >= 1);  // the running job finished; the queued ones may or may not have run
    CHECK_FALSE(pool.try_submit([&] { ++ran; }));
}
