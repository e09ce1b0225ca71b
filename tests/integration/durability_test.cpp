// Nothing acknowledged is lost: droverd is killed with SIGKILL in the middle of a burst of
// concurrent writes; after a restart every write that got a 2xx is present and every event up to
// the last acknowledged write can be replayed.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

TEST_CASE("SIGKILL during concurrent writes loses no acknowledged write",
          "[integration][durability]") {
    DroverdProcess d;
    std::mutex mutex;
    std::set<std::string> acknowledged;
    std::atomic<bool> stop{false};
    std::atomic<int> running{8};
    std::vector<std::thread> writers;
    for (int w = 0; w < 8; ++w) {
        writers.emplace_back([&, w] {
            auto c = d.client();
            c->set_connection_timeout(2, 0);
            for (int i = 0; !stop; ++i) {
                std::string name = "w" + std::to_string(w) + "-" + std::to_string(i);
                auto r = post(*c, "/api/v3/profiles", {{"Name", name}, {"Params", {{"index", i}}}});
                if (r.status == 201) {
                    std::lock_guard lock(mutex);
                    acknowledged.insert(name);
                } else if (r.status == 0) {
                    break;  // the server is gone
                }
            }
            --running;
        });
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (running > 0 && std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(mutex);
            if (acknowledged.size() >= 300) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    INFO("writers still running: " << running.load());
    REQUIRE(running == 8);
    REQUIRE(acknowledged.size() >= 300);
    d.kill9();
    stop = true;
    for (auto& t : writers)
        t.join();

    d.start();
    auto c = d.client();
    auto list = get(*c, "/api/v3/profiles");
    std::set<std::string> present;
    for (const auto& p : list.body)
        present.insert(p["Name"].get<std::string>());
    for (const auto& name : acknowledged) {
        INFO(name);
        CHECK(present.count(name) == 1);
    }
    // Every acknowledged create has its event in the replayable log.
    httplib::Headers h{{"Last-Event-ID", "0"}};
    std::set<std::string> created;
    auto sse = d.client();
    sse->set_read_timeout(5, 0);
    std::string buf;
    sse->Get("/api/v3/events?filter=profiles.create.*", h, [&](const char* data, size_t n) {
        buf.append(data, n);
        std::size_t pos;
        while ((pos = buf.find("\n\n")) != std::string::npos) {
            std::string frame = buf.substr(0, pos);
            buf.erase(0, pos + 2);
            auto at = frame.find("data: ");
            if (at != std::string::npos)
                created.insert(json::parse(frame.substr(at + 6))["Key"].get<std::string>());
        }
        return created.size() < present.size();  // the built-in global has its create event too
    });
    for (const auto& name : acknowledged) {
        INFO(name);
        CHECK(created.count(name) == 1);
    }
}
