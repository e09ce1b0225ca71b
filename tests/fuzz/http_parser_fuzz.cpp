// The HTTP/1.1 request parser (server/http/request_parser): any bytes as what a connection
// receives. The input is parsed twice, as the event loop drives the parser: once as one read,
// and once in reads of 1 to 16 bytes (sizes taken from the input itself), consuming pipelined
// requests until the parser needs more or fails. Properties beyond not crashing: how the bytes
// arrive never changes the requests or the error; failures carry a 4xx/5xx status and a reason;
// a request's body is exactly its Content-Length; bodies and heads respect the limits.
#include <string>
#include <vector>

#include "server/http/request_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace drover::http;

namespace {

// Small limits so the fuzzer reaches them with small inputs.
constexpr ParserLimits kLimits{512, 256};

struct Outcome {
    std::vector<ParsedRequest> requests;
    int error_status = 0;
    std::string error_message;
};

bool same_request(const ParsedRequest& a, const ParsedRequest& b) {
    const Request& x = a.request;
    const Request& y = b.request;
    return x.method == y.method && x.target == y.target && x.path == y.path && x.query == y.query &&
           x.headers == y.headers && x.body == y.body && a.keep_alive == b.keep_alive &&
           a.head_only == b.head_only;
}

void check_request(const ParsedRequest& p) {
    const Request& r = p.request;
    FUZZ_CHECK(!r.method.empty() && !r.target.empty(), "a request has a method and a target");
    FUZZ_CHECK(r.body.size() <= kLimits.max_body_bytes, "a body within the limit");
    const std::string* length = r.header("Content-Length");
    std::string digits =
        length ? length->substr(std::min(length->find_first_not_of('0'), length->size() - 1)) : "0";
    FUZZ_CHECK(digits == std::to_string(r.body.size()), "the body is exactly Content-Length bytes");
    FUZZ_CHECK(p.head_only == (r.method == "HEAD"), "head_only is a HEAD request");
}

// Feeds `data` in reads of the given sizes (cycled); one read when `sizes` is empty.
Outcome parse_in_reads(std::string_view data, std::string_view sizes) {
    Outcome out;
    RequestParser parser(kLimits);
    std::string input;
    std::size_t read_index = 0;
    while (!data.empty()) {
        auto size_byte =
            static_cast<unsigned char>(sizes.empty() ? 0 : sizes[read_index++ % sizes.size()]);
        std::size_t n = sizes.empty() ? data.size() : 1 + size_byte % 16;
        n = std::min(n, data.size());
        input.append(data.substr(0, n));
        data.remove_prefix(n);
        for (;;) {
            if (input.empty() && !parser.in_body()) break;  // idle: wait for the next read
            ParseState state = parser.parse(input);
            if (state == ParseState::Failed) {
                out.error_status = parser.error_status();
                out.error_message = parser.error_message();
                return out;
            }
            if (state == ParseState::NeedMore) {
                parser.take_continue_request();
                break;
            }
            out.requests.push_back(parser.take());
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    std::size_t n_sizes = data[0] % 8;
    if (size < 1 + n_sizes) return 0;
    std::string_view sizes = drover::fuzz::as_text(data + 1, n_sizes);
    std::string_view bytes = drover::fuzz::as_text(data + 1 + n_sizes, size - 1 - n_sizes);

    Outcome whole = parse_in_reads(bytes, {});
    Outcome pieces = parse_in_reads(bytes, sizes.empty() ? std::string_view("\x01") : sizes);
    if (whole.error_status != 0) {
        FUZZ_CHECK(whole.error_status >= 400 && whole.error_status < 600, "errors are 4xx/5xx");
        FUZZ_CHECK(!whole.error_message.empty(), "errors say why");
    }
    FUZZ_CHECK(whole.error_status == pieces.error_status, "reads do not change the error");
    FUZZ_CHECK(whole.requests.size() == pieces.requests.size(), "reads do not change requests");
    for (std::size_t i = 0; i < whole.requests.size(); ++i) {
        check_request(whole.requests[i]);
        FUZZ_CHECK(same_request(whole.requests[i], pieces.requests[i]),
                   "reads do not change a request");
    }
    return 0;
}
