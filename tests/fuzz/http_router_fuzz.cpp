// droverd's request handling in process: raw bytes through the HTTP request parser into the real
// Router, wired as server/daemon.cpp wires it (LMDB store in a temp dir, object service, event
// bus, job engine, renderer, security) but without sockets or TLS. Requests without an
// Authorization header get the admin's token, so the fuzzer reaches every route; a header it
// writes itself is kept. The store lives for the whole run, so objects one input creates are
// there for the next. Properties beyond not crashing: no handler throws; no input gets a 500
// (the store is healthy, so a 5xx would be the server's fault); every error is a DRP error body
// whose Code is the status; every JSON answer parses; the response serialises.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "server/api/router.hpp"
#include "server/events/event_bus.hpp"
#include "server/http/request_parser.hpp"
#include "server/http/response_writer.hpp"
#include "server/jobs/action_renderer.hpp"
#include "server/jobs/job_engine.hpp"
#include "server/jobs/job_log_store.hpp"
#include "server/jobs/log_followers.hpp"
#include "server/objects/object_service.hpp"
#include "server/security/param_cipher.hpp"
#include "server/security/security_service.hpp"
#include "server/store/store.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace fs = std::filesystem;
using namespace drover;

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "http_router_fuzz: %s\n", what.c_str());
    std::exit(1);
}

// A data dir under $TMPDIR, removed at exit (libFuzzer ends a timed run with exit()).
std::string make_data_dir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/drover-router-fuzz-XXXXXX";
    if (!::mkdtemp(pattern.data())) die("cannot create a temp dir from " + pattern);
    static std::string dir = pattern;
    std::atexit([] { fs::remove_all(dir); });
    return pattern;
}

// droverd's wiring (server/daemon.cpp start, start_security, start_jobs) minus HTTP and TLS.
struct ServerWorld {
    std::string dir = make_data_dir();
    std::unique_ptr<store::Store> store;
    std::unique_ptr<objects::ObjectService> objects;
    std::unique_ptr<events::EventBus> bus;
    std::unique_ptr<security::SecurityService> security;
    std::unique_ptr<jobs::JobLogStore> logs;
    std::unique_ptr<jobs::JobEngine> engine;
    std::unique_ptr<jobs::ActionRenderer> renderer;
    std::unique_ptr<jobs::LogFollowers> followers;
    std::unique_ptr<api_routes::Router> router;
    std::string admin_authorization;

    ServerWorld() {
        open_store();
        open_security();
        open_jobs();
        store->set_commit_listener([this](const std::vector<store::EventRecord>& ev) {
            bus->publish(ev);
            followers->on_commit(ev);
        });
        api_routes::JobServices services{*objects, *engine, *logs, *renderer, *followers};
        router = std::make_unique<api_routes::Router>(
            *objects, *bus, services, *security,
            api_routes::RouterOptions{.default_boot_env = "local", .version = "fuzz"});
    }

    void open_store() {
        store::StoreOptions so;
        so.data_dir = dir;
        so.buckets = objects::ObjectService::buckets();
        for (auto& b : jobs::JobEngine::buckets())
            so.buckets.push_back(std::move(b));
        store::Status st;
        store = store::open_lmdb_store(so, st);
        if (!store) die(st.message);
        auto cipher = security::ParamCipher::load(dir + "/security");
        if (!cipher) die(cipher.error());
        objects = std::make_unique<objects::ObjectService>(
            *store, std::make_shared<security::ParamCipher>(std::move(*cipher)));
        bus = std::make_unique<events::EventBus>(*store, events::EventBusOptions{10});
        if (auto b = objects->ensure_builtins(); !b.ok()) die(b.message);
    }

    void open_security() {
        security::SecurityOptions so;
        so.data_dir = dir;
        so.password_cost = {1u << 10, 1, 1};  // cheap: the fuzzer may log in on every input
        auto opened = security::SecurityService::open(*objects, so);
        if (!opened) die(opened.error());
        security = std::move(opened.value());
        if (auto admin = security->bootstrap_admin(std::string("fuzz-admin")); !admin)
            die(admin.error());
        auto token = security->token_for_user("admin", 365 * 24 * 3600);
        if (!token) die("cannot mint the admin token");
        admin_authorization = "Bearer " + token.value();
    }

    void open_jobs() {
        fs::create_directories(dir + "/logs");
        logs = std::make_unique<jobs::JobLogStore>(jobs::JobLogOptions{dir + "/logs", 1u << 20});
        engine = std::make_unique<jobs::JobEngine>(*objects, *logs, jobs::JobEngineOptions{});
        jobs::RenderSettings rs;
        rs.api_url = rs.provisioner_url = "https://127.0.0.1:8092";
        rs.info = {{"Version", "fuzz"}, {"Arch", "amd64"}, {"Os", "linux"}};
        rs.tokens_for = [this](const model::Machine& m) { return security->token_source(m); };
        renderer = std::make_unique<jobs::ActionRenderer>(*objects, rs);
        followers =
            std::make_unique<jobs::LogFollowers>(*logs, [](const std::string&) { return true; });
    }
};

// What the event loop gives `on_stream`: here a buffer that takes up to 64 KiB, then refuses.
class MemoryStream : public http::Stream {
  public:
    bool write(std::string bytes) override {
        std::lock_guard lock(mu_);
        if (!open_ || size_ + bytes.size() > (64u << 10)) return false;
        size_ += bytes.size();
        return true;
    }
    void finish() override {
        std::lock_guard lock(mu_);
        open_ = false;
    }
    void finish_with(std::string) override { finish(); }
    bool is_open() const override {
        std::lock_guard lock(mu_);
        return open_;
    }

  private:
    mutable std::mutex mu_;
    bool open_ = true;
    std::size_t size_ = 0;
};

// A stream answer is opened and then closed by its client, as the loop would run it.
void run_stream(const http::Response& res) {
    if (!res.on_stream) return;
    auto stream = std::make_shared<MemoryStream>();
    res.on_stream(stream);
    stream->finish();
    if (res.on_stream_closed) res.on_stream_closed();
}

void check_response(const http::Request& req, const http::Response& res) {
    FUZZ_CHECK(res.status >= 100 && res.status < 500, "no input gets a 5xx from a healthy server");
    auto type = res.headers.find("Content-Type");
    bool json_body = type != res.headers.end() && type->second == "application/json";
    if (res.status >= 400) {
        FUZZ_CHECK(json_body, "errors are JSON");
        auto body = nlohmann::json::parse(res.body, nullptr, false);
        FUZZ_CHECK(body.is_object() && body.value("Code", 0) == res.status,
                   "an error is a DRP error body with Code = status");
        FUZZ_CHECK(body.contains("Messages") && body["Messages"].is_array(),
                   "an error body lists its messages");
    } else if (json_body && req.method != "HEAD" && !res.on_stream) {
        FUZZ_CHECK(!nlohmann::json::parse(res.body, nullptr, false).is_discarded(),
                   "a JSON answer parses");
    }
    http::serialize_response(res, req.method == "HEAD", true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static ServerWorld world;
    std::string input(drover::fuzz::as_text(data, size));
    http::RequestParser parser(http::ParserLimits{64u << 10, 1u << 20});
    for (int handled = 0; handled < 4; ++handled) {
        if (parser.parse(input) != http::ParseState::Complete) break;
        http::Request req = parser.take().request;
        req.remote_addr = "127.0.0.1";
        if (!req.header("Authorization"))
            req.headers.emplace("Authorization", world.admin_authorization);
        http::Response res;
        try {
            world.router->handle(req, res);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "handler threw: %s\n", e.what());
            FUZZ_CHECK(false, "no handler throws");
        }
        check_response(req, res);
        run_stream(res);
    }
    return 0;
}
