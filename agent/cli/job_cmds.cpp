// The jobs' extra commands of spec 6.8: `jobs log <id> [--follow]` (raw bytes to stdout) and
// `jobs actions <id> [--os <os>]` (the task rendered for the job's machine, spec 6.4).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "agent/cli/commands.hpp"
#include "agent/cli/job_log.hpp"
#include "agent/cli/object_ops.hpp"

namespace drover::cli {

namespace {

using SessionPtr = std::shared_ptr<Session>;

void write_out(std::string_view bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fflush(stdout);
}

// Finished, failed or deleted: its log will not grow any more.
bool job_over(Session& s, const std::string& job) {
    auto got = s.api().call("GET", object_path(object_type("jobs"), job));
    if (!got) {
        if (got.error().status == 404) return true;
        fail(got.error());
    }
    std::string state = got->value("State", "");
    return state == "finished" || state == "failed";
}

client::Request log_request(const std::string& path, std::uint64_t offset) {
    client::Request req{
        "GET", path, "", "application/json", {{"Accept", "application/octet-stream"}}};
    if (offset > 0) req.headers["Range"] = "bytes=" + std::to_string(offset) + "-";
    return req;
}

// Streams from `offset` until the server ends or drops the stream; returns the new offset.
std::uint64_t follow_once(client::ApiClient& c, const std::string& path, std::uint64_t offset) {
    auto ended = c.stream(log_request(path + "?follow=true", offset), [&](std::string_view b) {
        write_out(b);
        offset += b.size();
        return true;
    });
    if (!ended) throw Failure(ended.error().message);
    const auto& r = ended.value();
    if (r.status >= 400) throw Failure(client::error_message(r.status, r.body));
    return offset;
}

void add_log(CLI::App& jobs, const SessionPtr& s) {
    auto id = std::make_shared<std::string>();
    auto follow = std::make_shared<bool>(false);
    auto* c = jobs.add_subcommand("log", "Print a job's log");
    c->add_option("id", *id, "The job's Uuid")->required();
    c->add_flag("--follow", *follow, "Keep printing until the job is finished or failed");
    c->callback([s, id, follow] { write_job_log(*s, *id, *follow); });
}

void add_actions(CLI::App& jobs, const SessionPtr& s) {
    auto id = std::make_shared<std::string>();
    auto os = std::make_shared<std::string>();
    auto* c = jobs.add_subcommand("actions", "Show a job's actions, rendered for its machine");
    c->add_option("id", *id, "The job's Uuid")->required();
    c->add_option("--os,--for-os", *os, "Only the templates for this OS (e.g. linux)");
    c->callback([s, id, os] {
        std::string path = object_path(object_type("jobs"), *id) + "/actions";
        if (!os->empty()) path += "?os=" + client::url_escape(*os);
        s->print(s->call("GET", path));
    });
}

}  // namespace

void write_job_log(Session& s, const std::string& job, bool follow) {
    std::string path = object_path(object_type("jobs"), job) + "/log";
    if (!follow) return write_out(s.call_raw("GET", path));
    auto stream = s.stream_client();
    std::uint64_t offset = 0;
    for (;;) {
        std::uint64_t before = offset;
        offset = follow_once(stream, path, offset);
        if (!job_over(s, job)) {
            if (offset == before) std::this_thread::sleep_for(std::chrono::seconds(1));
            continue;
        }
        auto rest = s.api().send(log_request(path, offset));
        if (rest && (rest->status == 200 || rest->status == 206)) write_out(rest->body);
        return;
    }
}

void add_job_commands(CLI::App& app, const SessionPtr& s) {
    auto* jobs = app.get_subcommand("jobs");
    add_log(*jobs, s);
    add_actions(*jobs, s);
}

}  // namespace drover::cli
