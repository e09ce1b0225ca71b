// GET /metrics against the real droverd: after object writes, a job cycle and an open event
// stream, the counters moved by exactly what the test did, and every line of the answer is valid
// Prometheus text exposition (0.0.4); only admins may scrape unless --metrics-public; and the
// request log names each request's route, status and principal without its credentials.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;

namespace {

const std::string kMachine = "7c1a2f4a-5b0c-4b0a-a6a5-0b5fd59d9d01";

// --- a tiny parser of the text exposition format, strict about what droverd must emit ---

struct Scrape {
    std::map<std::string, double> samples;  // `name{labels}` as written -> value
    double operator[](const std::string& series) const {
        auto it = samples.find(series);
        return it == samples.end() ? 0 : it->second;
    }
};

double parse_value(const std::string& text) {
    if (text == "+Inf") return std::numeric_limits<double>::infinity();
    if (text == "-Inf") return -std::numeric_limits<double>::infinity();
    if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    std::size_t used = 0;
    double v = std::stod(text, &used);
    REQUIRE(used == text.size());
    return v;
}

// `{a="x",b="y"}` at `pos` (which it advances past); label values checked for valid escapes.
std::map<std::string, std::string> parse_labels(const std::string& line, std::size_t& pos) {
    static const std::regex name(R"([a-zA-Z_][a-zA-Z0-9_]*)");
    std::map<std::string, std::string> labels;
    if (pos >= line.size() || line[pos] != '{') return labels;
    ++pos;
    while (line.at(pos) != '}') {
        auto eq = line.find("=\"", pos);
        REQUIRE(eq != std::string::npos);
        std::string label = line.substr(pos, eq - pos);
        REQUIRE(std::regex_match(label, name));
        std::string value;
        for (pos = eq + 2; line.at(pos) != '"'; ++pos) {
            if (line[pos] == '\\') {
                char e = line.at(++pos);
                REQUIRE((e == '\\' || e == '"' || e == 'n'));
                value += e == 'n' ? '\n' : e;
            } else {
                value += line[pos];
            }
        }
        REQUIRE(labels.emplace(label, value).second);
        ++pos;
        if (line.at(pos) == ',') ++pos;
    }
    ++pos;
    return labels;
}

// The family a sample belongs to: histograms' _bucket/_sum/_count series are their family's.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
    for (std::string suffix : {"_bucket", "_sum", "_count"})
        if (name.size() > suffix.size() && name.ends_with(suffix)) {
            std::string base = name.substr(0, name.size() - suffix.size());
            if (types.count(base) && types.at(base) == "histogram") return base;
        }
    return name;
}

// Checks the text line by line and returns its samples. Every family has HELP and TYPE before
// its samples, its samples form one group, counters end in _total, and histogram buckets are
// cumulative with +Inf equal to _count.
Scrape parse_exposition(const std::string& text) {
    static const std::regex metric_name(R"([a-zA-Z_:][a-zA-Z0-9_:]*)");
    static const std::regex help(R"(# HELP (\S+) (.*))"), type(R"(# TYPE (\S+) (\S+))");
    static const std::set<std::string> kTypes{"counter", "gauge", "histogram", "summary",
                                              "untyped"};
    Scrape out;
    std::map<std::string, std::string> types;
    std::set<std::string> helped, finished;
    std::string current;  // the family whose samples are being read
    double last_le = 0, last_bucket = 0;
    std::size_t start = 0;
    REQUIRE(!text.empty());
    REQUIRE(text.back() == '\n');
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        std::string line = text.substr(start, nl - start);
        start = nl + 1;
        INFO(line);
        REQUIRE(!line.empty());
        std::smatch m;
        if (std::regex_match(line, m, help)) {
            REQUIRE(std::regex_match(m[1].str(), metric_name));
            REQUIRE(helped.insert(m[1]).second);
            continue;
        }
        if (std::regex_match(line, m, type)) {
            REQUIRE(helped.count(m[1]) == 1);
            REQUIRE(kTypes.count(m[2]) == 1);
            REQUIRE(types.emplace(m[1], m[2]).second);
            if (m[2] == "counter") CHECK(m[1].str().ends_with("_total"));
            continue;
        }
        REQUIRE(line[0] != '#');
        std::size_t pos = line.find_first_of("{ ");
        std::string name = line.substr(0, pos);
        REQUIRE(std::regex_match(name, metric_name));
        auto labels = parse_labels(line, pos);
        REQUIRE(line.at(pos) == ' ');
        double value = parse_value(line.substr(pos + 1));
        std::string family = family_of(name, types);
        REQUIRE(types.count(family) == 1);  // TYPE came first
        if (family != current) {
            REQUIRE(finished.insert(family).second);  // one group per family
            current = family;
            last_le = -std::numeric_limits<double>::infinity();
            last_bucket = 0;
        }
        if (family != name && name.ends_with("_bucket")) {
            REQUIRE(labels.count("le") == 1);
            double le = parse_value(labels["le"]);
            CHECK(le > last_le);
            CHECK(value >= last_bucket);
            last_le = le;
            last_bucket = value;
        }
        REQUIRE(out.samples.emplace(line.substr(0, pos), value).second);
    }
    for (const auto& [family, type] : types)
        if (type == "histogram")
            CHECK(out[family + "_bucket{le=\"+Inf\"}"] == out[family + "_count"]);
    return out;
}

Scrape scrape(httplib::Client& c) {
    auto r = c.Get("/metrics");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    return parse_exposition(r->body);
}

std::string requests(const std::string& route, int code) {
    return "drover_http_requests_total{route=\"" + route + "\",code=\"" + std::to_string(code) +
           "\"}";
}

// Every series' change from `before` to `after` (series new in `after` count from 0).
std::map<std::string, double> deltas(const Scrape& before, const Scrape& after) {
    std::map<std::string, double> out;
    for (const auto& [series, value] : after.samples)
        out[series] = value - before[series];
    return out;
}

// Reads an event stream in the background and remembers each event's id by object key.
class EventWatcher {
  public:
    explicit EventWatcher(const DroverdProcess& d) : client_("127.0.0.1", d.port()) {
        client_.set_read_timeout(30, 0);
        client_.set_bearer_token_auth(d.admin_token().c_str());
        thread_ = std::thread([this] {
            std::string buf;
            client_.Get("/api/v3/events", [&](const char* data, size_t n) {
                buf.append(data, n);
                for (auto end = buf.find("\n\n"); end != std::string::npos;
                     end = buf.find("\n\n")) {
                    take(buf.substr(0, end));
                    buf.erase(0, end + 2);
                }
                return !stop_;
            });
        });
    }
    ~EventWatcher() { close(); }
    void close() {
        stop_ = true;
        client_.stop();
        if (thread_.joinable()) thread_.join();
    }
    // The id of the event about `key`, once it has arrived (0 if not within 20 s).
    std::uint64_t id_of(const std::string& key) {
        for (int i = 0; i < 2000; ++i) {
            {
                std::lock_guard lock(mutex_);
                if (ids_.count(key)) return ids_[key];
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return 0;
    }

  private:
    void take(const std::string& frame) {
        auto id = frame.find("id: "), data = frame.find("data: ");
        if (id == std::string::npos || data == std::string::npos) return;
        auto event = json::parse(frame.substr(data + 6, frame.find('\n', data) - data - 6));
        std::lock_guard lock(mutex_);
        ids_[event["Key"].get<std::string>()] = std::stoull(frame.substr(id + 4));
    }

    httplib::Client client_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::map<std::string, std::uint64_t> ids_;
    std::thread thread_;
};

// Waits (up to 20 s) until a scrape shows `series` at `value`; the last scrape.
Scrape scrape_until(httplib::Client& c, const std::string& series, double value) {
    Scrape s = scrape(c);
    for (int i = 0; i < 200 && s[series] != value; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        s = scrape(c);
    }
    return s;
}

// Whether droverd logged a line containing `part`, waiting up to 20 s for the harness to read
// it (droverd writes a request's line before answering, but the pipe is read by another thread).
bool logged(const DroverdProcess& d, const std::string& part) {
    for (int i = 0; i < 200; ++i) {
        for (const auto& line : d.log_lines())
            if (line.find(part) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

json op(const std::string& kind, const std::string& path, const json& value) {
    return {{"op", kind}, {"path", path}, {"value", value}};
}

}  // namespace

TEST_CASE("GET /metrics counts what happened: requests, jobs, events, commits and log bytes",
          "[integration][metrics]") {
    DroverdProcess d;
    auto c = d.client();
    EventWatcher events(d);
    scrape_until(*c, "drover_event_streams_open", 1);  // attached: it sees every event from now
    REQUIRE(post(*c, "/api/v3/profiles", {{"Name", "mark-before"}}).status == 201);
    const std::uint64_t first_seq = events.id_of("mark-before");
    REQUIRE(first_seq > 0);
    const Scrape before = scrape(*c);

    int writes = 0;  // store write()s that commit, each one answered 2xx
    auto write = [&](const Reply& r, int status) {
        REQUIRE(r.status == status);
        ++writes;
        return r.body;
    };
    for (std::string name : {"p1", "p2", "p3"})
        write(post(*c, "/api/v3/profiles", {{"Name", name}}), 201);
    CHECK(get(*c, "/api/v3/machines/no-such-machine").status == 404);
    write(post(*c, "/api/v3/tasks", {{"Name", "t1"}}), 201);
    write(post(*c, "/api/v3/tasks", {{"Name", "t2"}}), 201);
    write(post(*c, "/api/v3/machines", {{"Uuid", kMachine}, {"Name", "m1"}}), 201);
    write(patch(*c, "/api/v3/machines/" + kMachine,
                json::array({op("replace", "/Tasks", json{"t1", "t2"})})),
          200);
    // A job cycle that finishes, and one that fails after uploading some log.
    std::vector<std::string> jobs;
    for (std::string end : {"finished", "failed"}) {
        json job = write(post(*c, "/api/v3/jobs", {{"Machine", kMachine}}), 201);
        std::string path = "/api/v3/jobs/" + job["Uuid"].get<std::string>();
        jobs.push_back(job["Uuid"]);
        write(patch(*c, path, json::array({op("replace", "/State", "running")})), 200);
        if (end == "failed") {
            auto r =
                c->Put(path + "/log", "step 1\nstep 2 went wrong\n", "application/octet-stream");
            REQUIRE(r);
            REQUIRE(r->status == 204);
        }
        write(patch(*c, path, json::array({op("replace", "/State", end)})), 200);
    }
    write(post(*c, "/api/v3/profiles", {{"Name", "mark-after"}}), 201);
    const std::uint64_t last_seq = events.id_of("mark-after");
    REQUIRE(last_seq > first_seq);
    // Log bytes: each log's size less its first line, which droverd writes when it makes the log.
    double log_bytes = 0;
    for (const auto& job : jobs) {
        auto r = c->Get("/api/v3/jobs/" + job + "/log");
        REQUIRE(r);
        log_bytes += std::stod(r->get_header_value("X-Log-Size")) -
                     static_cast<double>(("Log for Job: " + job + "\n").size());
    }
    const Scrape after = scrape(*c);
    auto delta = deltas(before, after);

    CHECK(delta[requests("/api/v3/profiles", 201)] == 4);
    CHECK(delta[requests("/api/v3/machines/{id}", 404)] == 1);
    CHECK(delta[requests("/api/v3/jobs", 201)] == 2);
    CHECK(delta[requests("/api/v3/jobs/{id}", 200)] == 4);
    CHECK(delta[requests("/api/v3/jobs/{id}/log", 204)] == 1);
    CHECK(delta[requests("/api/v3/jobs/{id}/log", 200)] == 2);
    CHECK(delta[requests("/metrics", 200)] == 1);  // `before` itself
    CHECK(after[requests("/api/v3/events", 200)] == 1);
    double all_requests = 0;
    for (const auto& [series, change] : delta)
        if (series.starts_with("drover_http_requests_total{")) all_requests += change;
    CHECK(delta["drover_http_request_duration_seconds_count"] == all_requests);

    CHECK(delta["drover_jobs_created_total"] == 2);
    CHECK(delta["drover_jobs_finished_total"] == 1);
    CHECK(delta["drover_jobs_failed_total"] == 1);
    CHECK(delta["drover_job_log_bytes_written_total"] == log_bytes);
    CHECK(log_bytes >= 25);  // the upload at least
    CHECK(delta["drover_events_published_total"] == static_cast<double>(last_seq - first_seq));
    CHECK(after["drover_event_streams_open"] == 1);
    CHECK(delta["drover_store_commit_batch_size_sum"] == writes);
    CHECK(delta["drover_store_commit_batch_size_count"] >= 1);
    CHECK(delta["drover_store_commit_batch_size_count"] <= writes);
    CHECK(delta["drover_store_commit_duration_seconds_count"] ==
          delta["drover_store_commit_batch_size_count"]);
    CHECK(after["drover_store_data_file_bytes"] > 0);
    CHECK(after["drover_http_connections_open"] >= 2);  // this client and the stream

    events.close();
    CHECK(scrape_until(*c, "drover_event_streams_open", 0)["drover_event_streams_open"] == 0);
}

TEST_CASE("only admins may scrape /metrics, others get the usual 401 and 403",
          "[integration][metrics][security]") {
    DroverdProcess d;
    auto admin = d.client();
    for (std::string role : {"operator", "readonly"})
        REQUIRE(post(*admin, "/api/v3/users",
                     {{"Name", "u-" + role}, {"Roles", {role}}, {"Password", "pw-" + role}})
                    .status == 201);
    REQUIRE(post(*admin, "/api/v3/machines", {{"Uuid", kMachine}, {"Name", "m1"}}).status == 201);

    auto anonymous = d.anonymous_client();
    Reply none = get(*anonymous, "/metrics");
    CHECK(none.status == 401);
    CHECK(none.body["Code"] == 401);
    CHECK(none.headers.find("WWW-Authenticate") != none.headers.end());
    for (std::string role : {"operator", "readonly"}) {
        auto user = d.anonymous_client();
        user->set_basic_auth("u-" + role, "pw-" + role);
        Reply r = get(*user, "/metrics");
        CHECK(r.status == 403);
        CHECK(r.body["Code"] == 403);
        CHECK(r.body["Messages"][0] == "user:u-" + role + " may not list metrics");
    }
    auto machine = d.anonymous_client();
    machine->set_bearer_token_auth(d.machine_token(kMachine));
    Reply m = get(*machine, "/metrics");
    CHECK(m.status == 403);
    CHECK(m.body["Code"] == 403);
    CHECK(post(*admin, "/metrics", json::object()).status == 405);
    CHECK(get(*admin, "/metrics").status == 200);

    // The request log: one line per request, with route, status and who asked.
    CHECK(logged(d, "msg=request method=GET path=/metrics route=/metrics status=401 "));
    CHECK(logged(d, " status=403 duration_ms="));
    CHECK(logged(d, " principal=u-operator "));
    CHECK(logged(d, " principal=machine:" + kMachine + " "));
    CHECK(logged(d, " principal=- "));
    CHECK(logged(d, "method=POST path=/api/v3/machines route=/api/v3/machines status=201 "));
}

TEST_CASE("with --metrics-public anyone may scrape /metrics, and the log never shows a token",
          "[integration][metrics][security]") {
    DroverdProcess d({"--metrics-public"});
    auto anonymous = d.anonymous_client();
    auto r = anonymous->Get("/metrics");
    REQUIRE(r);
    CHECK(r->status == 200);
    Scrape s = parse_exposition(r->body);
    CHECK(s[requests("/metrics", 200)] == 0);  // a scrape is counted once answered
    CHECK(parse_exposition(anonymous->Get("/metrics")->body)[requests("/metrics", 200)] == 1);

    const std::string token = d.admin_token();
    auto q = anonymous->Get("/api/v3/profiles?token=" + token);
    REQUIRE(q);
    CHECK(q->status == 200);
    CHECK(logged(d, "path=/api/v3/profiles query=\"token=REDACTED\" "));
    auto lines = d.log_lines();
    CHECK(std::none_of(lines.begin(), lines.end(), [&](const std::string& line) {
        return line.find(token.substr(0, 20)) != std::string::npos;
    }));
}
