// The metrics building blocks (server/ops): histogram bucketing ("less than or equal", +Inf),
// the text exposition format with its escaping, the request counters by route and status (exact
// under concurrent recording, bounded per route), and the route templates that keep IDs out of
// labels.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <set>
#include <thread>
#include <vector>

#include "server/api/route_templates.hpp"
#include "server/objects/collection.hpp"
#include "server/ops/exposition.hpp"
#include "server/ops/histogram.hpp"
#include "server/ops/request_metrics.hpp"

using namespace drover;
using namespace drover::ops;

TEST_CASE("a histogram counts each value in the first bucket whose bound is >= it",
          "[ops][metrics]") {
    constexpr double bounds[] = {1, 2, 4};
    Histogram h(bounds);
    for (double v : {0.5, 1.0, 1.5, 4.0, 5.0, 100.0})
        h.observe(v);
    HistogramSnapshot s = h.snapshot();
    CHECK(s.upper_bounds == std::vector<double>{1, 2, 4});
    CHECK(s.cumulative == std::vector<std::uint64_t>{2, 3, 4});
    CHECK(s.count == 6);
    CHECK(s.sum == 112.0);
}

TEST_CASE("a histogram is written as cumulative _bucket lines, +Inf, _sum and _count",
          "[ops][metrics]") {
    constexpr double bounds[] = {0.0005, 0.25, 1};
    Histogram h(bounds);
    h.observe(0.000244140625);  // 2^-12: sums stay exact
    h.observe(0.5);
    h.observe(3);
    Exposition out;
    out.family("x_seconds", "histogram", "Some time");
    out.histogram("x_seconds", {{"route", "/a"}}, h.snapshot());
    CHECK(out.text() ==
          "# HELP x_seconds Some time\n"
          "# TYPE x_seconds histogram\n"
          "x_seconds_bucket{route=\"/a\",le=\"0.0005\"} 1\n"
          "x_seconds_bucket{route=\"/a\",le=\"0.25\"} 1\n"
          "x_seconds_bucket{route=\"/a\",le=\"1\"} 2\n"
          "x_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n"
          "x_seconds_sum{route=\"/a\"} 3.500244140625\n"
          "x_seconds_count{route=\"/a\"} 3\n");
}

TEST_CASE("exposition values, label values and help texts are escaped as the format says",
          "[ops][metrics]") {
    CHECK(format_value(1) == "1");
    CHECK(format_value(0.0025) == "0.0025");
    CHECK(format_value(12345678.5) == "12345678.5");
    CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(format_value(std::nan("")) == "NaN");
    CHECK(std::stod(format_value(1e-300)) == 1e-300);  // too long for fixed: exponent form
    CHECK(escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");

    Exposition out;
    out.counter("c_total", "Counts \\ things\nover lines", 7);
    out.gauge("g", "A gauge", 0.5);
    out.sample("g", {{"k", "v\"1"}, {"j", "2"}}, 1.0);
    CHECK(out.text() ==
          "# HELP c_total Counts \\\\ things\\nover lines\n"
          "# TYPE c_total counter\n"
          "c_total 7\n"
          "# HELP g A gauge\n"
          "# TYPE g gauge\n"
          "g 0.5\n"
          "g{k=\"v\\\"1\",j=\"2\"} 1\n");
}

TEST_CASE("request counts are exact under concurrent recording", "[ops][metrics]") {
    RequestMetrics m({"/a", "/b", "other"});
    constexpr int kThreads = 8, kEach = 5000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&m, t] {
            for (int i = 0; i < kEach; ++i)
                m.record(static_cast<std::size_t>(i % 2), i % 3 == 0 ? 200 : 400 + t, 0.001);
        });
    for (auto& t : threads)
        t.join();
    Exposition out;
    m.write(out);
    const std::string& text = out.text();
    // i % 3 == 0 on 1667 of 5000 iterations, split over two routes by i % 2 (834 even, 833 odd).
    CHECK(text.find("drover_http_requests_total{route=\"/a\",code=\"200\"} " +
                    std::to_string(834 * kThreads) + "\n") != std::string::npos);
    CHECK(text.find("drover_http_requests_total{route=\"/b\",code=\"200\"} " +
                    std::to_string(833 * kThreads) + "\n") != std::string::npos);
    for (int t = 0; t < kThreads; ++t)
        CHECK(text.find("drover_http_requests_total{route=\"/a\",code=\"" +
                        std::to_string(400 + t) + "\"} 1666\n") != std::string::npos);
    CHECK(text.find("drover_http_request_duration_seconds_count " +
                    std::to_string(kThreads * kEach) + "\n") != std::string::npos);
    CHECK(text.find("route=\"other\"") == std::string::npos);  // nothing recorded there
}

TEST_CASE("a route beyond the list counts as the last, codes beyond a route table as other",
          "[ops][metrics]") {
    RequestMetrics m({"/a", "other"});
    m.record(99, 200, 0.01);
    for (int code = 100; code < 140; ++code)
        m.record(0, code, 0.01);
    Exposition out;
    m.write(out);
    CHECK(out.text().find("drover_http_requests_total{route=\"other\",code=\"200\"} 1\n") !=
          std::string::npos);
    CHECK(out.text().find("drover_http_requests_total{route=\"/a\",code=\"131\"} 1\n") !=
          std::string::npos);
    CHECK(out.text().find("drover_http_requests_total{route=\"/a\",code=\"132\"}") ==
          std::string::npos);
    CHECK(out.text().find("drover_http_requests_total{route=\"/a\",code=\"other\"} 8\n") !=
          std::string::npos);
}

TEST_CASE("route templates replace IDs and param names with placeholders", "[ops][metrics]") {
    api_routes::RouteTemplates routes(objects::object_prefixes());
    auto name = [&](std::string_view path) { return routes.name_of(path); };
    CHECK(name("/healthz") == "/healthz");
    CHECK(name("/metrics") == "/metrics");
    CHECK(name("/api/v3") == "/api/v3");
    CHECK(name("/api/v3/") == "/api/v3");
    CHECK(name("/api/v3/info") == "/api/v3/info");
    CHECK(name("/api/v3/events") == "/api/v3/events");
    CHECK(name("/api/v3/machines") == "/api/v3/machines");
    CHECK(name("/api/v3/machines/") == "/api/v3/machines");
    CHECK(name("/api/v3/machines/Name:m1") == "/api/v3/machines/{id}");
    CHECK(name("/api/v3/machines/abc/params") == "/api/v3/machines/{id}/params");
    CHECK(name("/api/v3/machines/abc/params/a/b/c") == "/api/v3/machines/{id}/params/{name}");
    CHECK(name("/api/v3/machines/abc/render") == "/api/v3/machines/{id}/render");
    CHECK(name("/api/v3/machines/abc/token") == "/api/v3/machines/{id}/token");
    CHECK(name("/api/v3/jobs/j1/log") == "/api/v3/jobs/{id}/log");
    CHECK(name("/api/v3/jobs/j1/actions") == "/api/v3/jobs/{id}/actions");
    CHECK(name("/api/v3/users/admin/token") == "/api/v3/users/{id}/token");
    CHECK(name("/api/v3/params/a/b/c") == "/api/v3/params/{id}");
    CHECK(name("/api/v3/contents/bundle") == "/api/v3/contents/{id}");
    CHECK(name("/ui") == "/ui");
    CHECK(name("/ui/") == "/ui/{file}");
    CHECK(name("/ui/js/app.js") == "/ui/{file}");
    for (std::string_view odd :
         {"/", "/favicon.ico", "/uix", "/api/v3x", "/api/v3/nosuchtype", "/api/v3/nosuchtype/x",
          "/api/v3/machines/abc/bogus", "/api/v3/machines/abc/log/x", "/api/v3/info/x"})
        CHECK(name(odd) == "other");
}

TEST_CASE("route labels stay within the fixed list whatever the paths", "[ops][metrics]") {
    api_routes::RouteTemplates routes(objects::object_prefixes());
    const std::set<std::string> known(routes.names().begin(), routes.names().end());
    CHECK(routes.names().back() == "other");
    std::set<std::string> seen;
    for (int i = 0; i < 500; ++i) {
        std::string id = "m" + std::to_string(i);
        for (std::string path : {"/api/v3/machines/" + id, "/api/v3/jobs/" + id + "/log",
                                 "/api/v3/" + id, "/api/v3/profiles/" + id + "/params/" + id})
            seen.insert(routes.name_of(path));
    }
    CHECK(seen.size() == 4);
    for (const auto& s : seen)
        CHECK(known.count(s) == 1);
}
