// HTTP/1.1 request parsing (RFC 9112 sections 2-3, 6-7): see request_parser.hpp for the rules.
#include "server/http/request_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

#include "server/http/url.hpp"

namespace drover::http {
namespace {

bool is_tchar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("!#$%&'*+-.^_`|~", c);
}

bool is_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c && is_tchar(c); });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// True when the comma-separated header list `value` contains `token`.
bool has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        std::size_t comma = value.find(',');
        if (iequals(trim(value.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

// Finds the blank line that ends the head, starting at `from`. Returns the offset where the
// head's text ends and sets `terminator` to the length of what follows it ("\n\r\n" or "\n\n").
std::size_t find_head_end(const std::string& input, std::size_t from, std::size_t& terminator) {
    for (std::size_t i = input.find('\n', from); i != std::string::npos;
         i = input.find('\n', i + 1)) {
        if (i + 1 < input.size() && input[i + 1] == '\n') {
            terminator = 2;
            return i;
        }
        if (i + 2 < input.size() && input[i + 1] == '\r' && input[i + 2] == '\n') {
            terminator = 3;
            return i;
        }
    }
    return std::string::npos;
}

bool valid_target_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f;
}

}  // namespace

ParseState RequestParser::fail(int status, std::string message) {
    error_status_ = status;
    error_message_ = std::move(message);
    return ParseState::Failed;
}

ParseState RequestParser::parse(std::string& input) {
    if (!head_done_) {
        if (scanned_ == 0) {
            // RFC 9112 2.2: ignore empty lines before a request line (some clients send a CRLF
            // after a body).
            std::size_t skip = input.find_first_not_of("\r\n");
            input.erase(0, skip == std::string::npos ? input.size() : skip);
        }
        std::size_t terminator = 0;
        std::size_t end = find_head_end(input, scanned_ >= 2 ? scanned_ - 2 : 0, terminator);
        if (end == std::string::npos) {
            scanned_ = input.size();
            if (input.size() > limits_.max_header_bytes)
                return fail(431, "request header fields too large");
            return ParseState::NeedMore;
        }
        if (end + terminator > limits_.max_header_bytes)
            return fail(431, "request header fields too large");
        ParseState state = parse_head(std::string_view(input).substr(0, end + 1));
        input.erase(0, end + terminator);
        scanned_ = 0;
        if (state == ParseState::Failed) return state;
        head_done_ = true;
    }
    if (input.size() < body_length_) return ParseState::NeedMore;
    parsed_.request.body.assign(input, 0, body_length_);
    input.erase(0, body_length_);
    return ParseState::Complete;
}

ParseState RequestParser::parse_head(std::string_view head) {
    bool first = true;
    while (!head.empty()) {
        std::size_t nl = head.find('\n');
        std::string_view line = head.substr(0, nl);
        head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        bool ok = first ? parse_request_line(line) : parse_header_line(line);
        if (!ok) return ParseState::Failed;
        first = false;
    }
    if (first) return fail(400, "empty request");
    return check_framing();
}

bool RequestParser::parse_request_line(std::string_view line) {
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
        fail(400, "malformed request line");
        return false;
    }
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (!is_token(method) || target.empty() ||
        !std::all_of(target.begin(), target.end(), valid_target_char)) {
        fail(400, "malformed request line");
        return false;
    }
    if (version == "HTTP/1.0") {
        http10_ = true;
    } else if (version != "HTTP/1.1") {
        bool looks_http = version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
                          std::isdigit(static_cast<unsigned char>(version[5])) &&
                          version[6] == '.' && std::isdigit(static_cast<unsigned char>(version[7]));
        fail(looks_http ? 505 : 400,
             looks_http ? "HTTP version not supported" : "malformed version");
        return false;
    }
    Request& r = parsed_.request;
    r.method = std::string(method);
    r.target = std::string(target);
    std::string_view path_and_query = target;
    if (target.substr(0, 7) == "http://" || target.substr(0, 8) == "https://") {
        // absolute-form (RFC 9112 3.2.2): drop scheme and authority.
        std::size_t slash = target.find('/', target.find("://") + 3);
        path_and_query = slash == std::string_view::npos ? "/" : target.substr(slash);
    } else if (target[0] != '/' && target != "*") {
        fail(400, "malformed request target");
        return false;
    }
    path_and_query = path_and_query.substr(0, path_and_query.find('#'));
    std::size_t q = path_and_query.find('?');
    r.path = percent_decode(path_and_query.substr(0, q), false);
    if (q != std::string_view::npos) r.query = parse_query(path_and_query.substr(q + 1));
    return true;
}

bool RequestParser::parse_header_line(std::string_view line) {
    // A line starting with whitespace is obsolete line folding (RFC 9112 5.2): refused.
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
        fail(400, "malformed header line");
        return false;
    }
    std::string_view value = trim(line.substr(colon + 1));
    for (char c : value) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) {
            fail(400, "control character in header value");
            return false;
        }
    }
    parsed_.request.headers.emplace(std::string(line.substr(0, colon)), std::string(value));
    return true;
}

ParseState RequestParser::check_framing() {
    const Headers& h = parsed_.request.headers;
    if (auto* te = parsed_.request.header("Transfer-Encoding")) {
        std::string_view codings = *te;
        std::string_view last = trim(codings.substr(codings.rfind(',') + 1));
        if (iequals(last, "chunked"))
            return fail(411, "send the request body with a Content-Length");
        return fail(501, "transfer coding not implemented");
    }
    bool have_length = false;
    auto [begin, end] = h.equal_range("Content-Length");
    for (auto it = begin; it != end; ++it) {
        const std::string& v = it->second;
        if (v.empty() ||
            !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return fail(400, "invalid Content-Length");
        // Twenty digits may overflow; anything that long is over every limit anyway.
        std::size_t length = v.size() > 19 ? limits_.max_body_bytes + 1 : std::stoull(v);
        if (have_length && length != body_length_) return fail(400, "conflicting Content-Length");
        have_length = true;
        body_length_ = length;
    }
    if (body_length_ > limits_.max_body_bytes) return fail(413, "request body too large");
    const std::string* connection = parsed_.request.header("Connection");
    if (http10_)
        parsed_.keep_alive = connection && has_token(*connection, "keep-alive");
    else
        parsed_.keep_alive = !(connection && has_token(*connection, "close"));
    parsed_.head_only = parsed_.request.method == "HEAD";
    const std::string* expect = parsed_.request.header("Expect");
    expect_continue_ = !http10_ && body_length_ > 0 && expect && iequals(*expect, "100-continue");
    return ParseState::NeedMore;
}

bool RequestParser::take_continue_request() {
    return std::exchange(expect_continue_, false);
}

ParsedRequest RequestParser::take() {
    ParsedRequest out = std::move(parsed_);
    reset();
    return out;
}

void RequestParser::reset() {
    scanned_ = 0;
    head_done_ = false;
    body_length_ = 0;
    http10_ = false;
    expect_continue_ = false;
    parsed_ = ParsedRequest{};
}

}  // namespace drover::http
