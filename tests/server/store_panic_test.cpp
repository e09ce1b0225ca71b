// The LMDB store after MDB_PANIC. A commit whose meta page write fails (a disk that filled up
// under a copy-on-write file system such as btrfs, where even an overwrite needs new blocks; an
// I/O error) makes LMDB refuse every later transaction, reads included, until the environment
// is opened again. Here the meta write is failed by interposing pwrite(2), which liblmdb calls
// through the PLT: this definition in the test binary comes first.
#include "store_test_util.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace drover::store;
using namespace drover::store::testing;

namespace {

// The errno the next meta page write fails with; 0: none fails.
std::atomic<int> g_fail_meta_write{0};
std::atomic<int> g_meta_writes_failed{0};

// LMDB writes its meta pages (the file's first two pages) through a second descriptor of
// data.mdb, opened O_DSYNC; the data pages go through the first one.
bool is_meta_write(int fd, off_t offset) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_DSYNC) == 0 || offset >= 2 * 65536) return false;
    char target[PATH_MAX] = {};
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), target, sizeof(target) - 1);
    return n > 0 && std::string_view(target, static_cast<std::size_t>(n)).ends_with("/data.mdb");
}

}  // namespace

extern "C" ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) {
    using Real = ssize_t (*)(int, const void*, size_t, off_t);
    static const Real real = reinterpret_cast<Real>(::dlsym(RTLD_NEXT, "pwrite"));
    if (g_fail_meta_write.load() != 0 && is_meta_write(fd, offset)) {
        if (int error = g_fail_meta_write.exchange(0); error != 0) {
            g_meta_writes_failed.fetch_add(1);
            errno = error;
            return -1;
        }
    }
    return real(fd, buf, n, offset);
}

TEST_CASE("a failed meta page write (MDB_PANIC): the store reopens itself, nothing committed lost",
          "[store][nospace][panic]") {
    TempDir tmp;
    auto options = options_in(tmp.path);
    std::atomic<bool> done{false};
    std::atomic<int> reads{0}, wrong{0};
    {
        auto store = open_ok(options);
        REQUIRE(put_with_event(*store, "before", "kept") == 1);
        // Readers all along: none may see the broken environment (an empty view) or a closed one.
        std::vector<std::thread> readers;
        for (int r = 0; r < 4; ++r) {
            readers.emplace_back([&] {
                while (!done.load()) {
                    if (get(*store, "machines", "before") != "kept") wrong.fetch_add(1);
                    reads.fetch_add(1);
                }
            });
        }
        g_fail_meta_write = ENOSPC;
        std::uint64_t seq = 0;
        Status failed = store->write([&](WriteTxn& txn) {
            txn.put("machines", "lost", "never acknowledged");
            seq = txn.append_event("lost");
            return true;
        });
        REQUIRE(g_meta_writes_failed.load() == 1);
        INFO(failed.message);
        CHECK(failed.code == StoreCode::NoSpace);

        // Reads see the last committed state, and writes go on.
        CHECK(get(*store, "machines", "before") == "kept");
        CHECK_FALSE(get(*store, "machines", "lost"));
        CHECK(event_bounds(*store).second == 1);
        CHECK(put_with_event(*store, "after", "written") == 2);
        CHECK(get(*store, "machines", "after") == "written");
        done = true;
        for (auto& reader : readers)
            reader.join();
    }
    CHECK(reads.load() > 0);
    CHECK(wrong.load() == 0);
    auto store = open_ok(options);
    CHECK(get(*store, "machines", "before") == "kept");
    CHECK(get(*store, "machines", "after") == "written");
    CHECK_FALSE(get(*store, "machines", "lost"));
    auto events = events_after(*store, 0);
    REQUIRE(events.size() == 2);
    CHECK(events[0].data == "before");
    CHECK(events[1].data == "after");
}
