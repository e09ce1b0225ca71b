// GET/HEAD/PUT /api/v3/jobs/<uuid>/log (spec 6.4, made resumable): uploads carry X-Log-Offset so a
// retried or resumed chunk is written once; every answer carries X-Log-Size, the acknowledged
// logical size. Reads take `Range: bytes=N-` in the same logical offsets and `?follow=true`
// keeps the response open until the job is finished or failed.
#include <charconv>
#include <limits>
#include <mutex>

#include "server/api/job_routes.hpp"
#include "server/api/reply.hpp"
#include "server/jobs/job_log_store.hpp"
#include "server/jobs/log_followers.hpp"
#include "server/objects/object_service.hpp"

namespace drover::api_routes {

namespace {

std::optional<std::uint64_t> parse_u64(std::string_view s) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

bool is_octet_stream(const http::Request& req) {
    const std::string* type = req.header("Content-Type");
    if (!type) return false;
    std::string_view t = *type;
    t = t.substr(0, t.find(';'));
    while (!t.empty() && t.back() == ' ')
        t.remove_suffix(1);
    return t == "application/octet-stream";
}

void put_log(JobServices& s, const std::string& uuid, const http::Request& req,
             http::Response& res) {
    if (!is_octet_stream(req))
        return reply_error(res, 415, "UnsupportedMediaType",
                           "Job logs are uploaded as application/octet-stream", "jobs", uuid);
    std::optional<std::uint64_t> offset;
    if (const std::string* raw = req.header("X-Log-Offset")) {
        offset = parse_u64(*raw);
        if (!offset)
            return reply_error(res, 400, "BadRequest",
                               "X-Log-Offset must be a byte offset (a non-negative integer)",
                               "jobs", uuid);
    }
    jobs::LogResult r = s.logs.append(uuid, offset, req.body);
    res.headers.emplace("X-Log-Size", std::to_string(r.size));
    switch (r.outcome) {
        case jobs::LogOutcome::Ok:
            if (!req.body.empty()) s.followers.appended(uuid);
            [[fallthrough]];
        case jobs::LogOutcome::Duplicate:
            res.status = 204;
            return;
        case jobs::LogOutcome::Gap:
            return reply_error(res, 409, "Conflict",
                               "Log offset " + std::to_string(*offset) +
                                   " is past the stored size " + std::to_string(r.size) +
                                   "; resume from X-Log-Size",
                               "jobs", uuid);
        case jobs::LogOutcome::NoSpace:
            return reply_error(res, 507, "StorageFull", "Cannot store job log: " + r.message,
                               "jobs", uuid);
        case jobs::LogOutcome::BadId:
            return reply_error(res, 404, "NotFound", "No log for job " + uuid, "jobs", uuid);
        case jobs::LogOutcome::Io:
            break;
    }
    reply_error(res, 503, "StorageUnavailable", "Cannot store job log: " + r.message, "jobs", uuid);
}

struct ByteRange {
    std::uint64_t from = 0;
    std::uint64_t length = std::numeric_limits<std::uint64_t>::max();
    bool requested = false;
};

// `bytes=N-` or `bytes=N-M`; nullopt when malformed.
std::optional<ByteRange> parse_range(const http::Request& req) {
    ByteRange r;
    const std::string* raw = req.header("Range");
    if (!raw) return r;
    std::string_view v = *raw;
    if (v.substr(0, 6) != "bytes=") return std::nullopt;
    v.remove_prefix(6);
    auto dash = v.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto from = parse_u64(v.substr(0, dash));
    if (!from) return std::nullopt;
    r.from = *from;
    r.requested = true;
    if (dash + 1 < v.size()) {
        auto last = parse_u64(v.substr(dash + 1));
        if (!last || *last < *from) return std::nullopt;
        r.length = *last - *from + 1;
    }
    return r;
}

// The bus-like handshake of a follow stream: the follower id exists only once the loop started
// the stream, and the client may have gone before that.
struct FollowSession {
    std::mutex mutex;
    std::optional<std::uint64_t> id;
    bool closed = false;
};

void start_follow(jobs::LogFollowers& followers, const std::string& uuid, std::uint64_t offset,
                  http::Response& res) {
    auto session = std::make_shared<FollowSession>();
    res.on_stream = [&followers, session, uuid, offset](std::shared_ptr<http::Stream> stream) {
        std::lock_guard lock(session->mutex);
        if (!session->closed) session->id = followers.follow(uuid, offset, std::move(stream));
    };
    res.on_stream_closed = [&followers, session] {
        std::lock_guard lock(session->mutex);
        session->closed = true;
        if (session->id) followers.unfollow(*session->id);
    };
}

void get_log(JobServices& s, const std::string& uuid, const http::Request& req,
             http::Response& res) {
    auto range = parse_range(req);
    if (!range)
        return reply_error(res, 416, "RangeNotSatisfiable", "Range must be bytes=N- or bytes=N-M",
                           "jobs", uuid);
    auto chunk = s.logs.read_job_log(uuid, range->from, range->length);
    if (!chunk)
        return reply_error(res, 503, "StorageUnavailable", "Cannot read the job log", "jobs", uuid);
    const bool follow = query_flag(req, "follow") && req.method == "GET";
    res.headers.emplace("X-Log-Size", std::to_string(chunk->size));
    res.headers.emplace("Accept-Ranges", "bytes");
    // A range starting at the end is unsatisfiable (RFC 9110), except for a follower that waits
    // for what comes next.
    if (range->requested &&
        (range->from > chunk->size || (range->from == chunk->size && !follow))) {
        res.headers.emplace("Content-Range", "bytes */" + std::to_string(chunk->size));
        return reply_error(res, 416, "RangeNotSatisfiable",
                           "The log has " + std::to_string(chunk->size) + " bytes", "jobs", uuid);
    }
    res.headers.emplace("Content-Type", "application/octet-stream");
    res.status = 200;
    if (range->requested) {
        res.status = 206;
        std::uint64_t last =
            chunk->next_offset > range->from ? chunk->next_offset - 1 : range->from;
        res.headers.emplace("Content-Range", "bytes " + std::to_string(range->from) + "-" +
                                                 std::to_string(last) + "/" +
                                                 std::to_string(chunk->size));
    }
    res.body = std::move(chunk->bytes);
    if (follow) start_follow(s.followers, uuid, chunk->next_offset, res);
}

}  // namespace

void handle_job_log(JobServices& s, const std::string& id, const http::Request& req,
                    http::Response& res) {
    auto job = s.objects.get("jobs", id);
    if (!job) return reply_error(res, objects::not_found("jobs", id, req.method));
    const std::string uuid = job.value()["Uuid"].get<std::string>();
    if (req.method == "PUT") return put_log(s, uuid, req, res);
    if (req.method == "GET" || req.method == "HEAD") return get_log(s, uuid, req, res);
    res.headers.emplace("Allow", "GET, HEAD, PUT");
    reply_error(res, 405, "MethodNotAllowed", "Method not allowed here; use GET, HEAD, PUT", "jobs",
                id);
}

}  // namespace drover::api_routes
