// Sprig encoding, hashing, JSON and path functions. Hashes and base64 are implemented
// here (small and dependency-free) with Go's exact error strings for bad base64 input.
#include <array>
#include <cstdio>
#include <cstring>
#include <random>

#include "common/tmpl/gofmt.hpp"
#include "common/tmpl/gopath.hpp"
#include "common/tmpl/json_value.hpp"
#include "common/tmpl/sprig_util.hpp"

namespace drover::tmpl {

using namespace sprig;

// Go's path.Clean (see gopath.hpp).
std::string path_clean(const std::string& p) {
    if (p.empty()) return ".";
    bool rooted = p[0] == '/';
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < p.size()) {
        size_t j = p.find('/', i);
        std::string seg = p.substr(i, j == std::string::npos ? std::string::npos : j - i);
        i = j == std::string::npos ? p.size() : j + 1;
        if (seg.empty() || seg == ".") continue;
        if (seg == "..") {
            if (!parts.empty() && parts.back() != "..") {
                parts.pop_back();
            } else if (!rooted) {
                parts.push_back("..");
            }
            continue;
        }
        parts.push_back(seg);
    }
    std::string out = rooted ? "/" : "";
    for (size_t k = 0; k < parts.size(); ++k) {
        if (k > 0) out += '/';
        out += parts[k];
    }
    return out.empty() ? "." : out;
}

namespace {

const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string b64enc(const std::string& in) {
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6)
            out += kB64[(n >> s) & 63];
    }
    size_t rest = in.size() - i;
    if (rest > 0) {
        uint32_t n = static_cast<unsigned char>(in[i]) << 16;
        if (rest == 2) n |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += kB64[(n >> 18) & 63];
        out += kB64[(n >> 12) & 63];
        out += rest == 2 ? kB64[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

int b64val(unsigned char c) {
    const char* p = std::strchr(kB64, c);
    return (c != 0 && p) ? static_cast<int>(p - kB64) : -1;
}

// Go's base64.StdEncoding.DecodeString, returning the error text on failure.
std::string b64dec(const std::string& src) {
    std::string out;
    size_t si = 0;
    auto corrupt = [](size_t at) {
        return "illegal base64 data at input byte " + std::to_string(at);
    };
    for (;;) {
        std::array<int, 4> d{};
        size_t dlen = 4;
        bool end = false;
        for (size_t j = 0; j < 4; ++j) {
            if (si == src.size()) {
                if (j == 0) return out;
                return corrupt(si - j);
            }
            auto in = static_cast<unsigned char>(src[si++]);
            int v = b64val(in);
            if (v >= 0) {
                d[j] = v;
                continue;
            }
            if (in == '\n' || in == '\r') {
                --j;
                continue;
            }
            if (in != '=') return corrupt(si - 1);
            if (j < 2) return corrupt(si - 1);
            if (j == 2) {
                while (si < src.size() && (src[si] == '\n' || src[si] == '\r'))
                    ++si;
                if (si == src.size()) return corrupt(src.size());
                if (src[si] != '=') return corrupt(si - 1);
                ++si;
            }
            while (si < src.size() && (src[si] == '\n' || src[si] == '\r'))
                ++si;
            if (si < src.size()) return corrupt(si);
            dlen = j;
            end = true;
            break;
        }
        uint32_t n = (d[0] << 18) | (d[1] << 12) | (d[2] << 6) | d[3];
        out += static_cast<char>(n >> 16);
        if (dlen > 2) out += static_cast<char>((n >> 8) & 0xFF);
        if (dlen > 3) out += static_cast<char>(n & 0xFF);
        if (end) return out;
    }
}

uint32_t rotr(uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

std::string sha256_hex(const std::string& msg) {
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::string m = msg;
    uint64_t bits = static_cast<uint64_t>(msg.size()) * 8;
    m += static_cast<char>(0x80);
    while (m.size() % 64 != 56)
        m += '\0';
    for (int i = 7; i >= 0; --i)
        m += static_cast<char>((bits >> (i * 8)) & 0xFF);
    for (size_t off = 0; off < m.size(); off += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; ++i) {
            w[i] = 0;
            for (int b = 0; b < 4; ++b)
                w[i] = (w[i] << 8) | static_cast<unsigned char>(m[off + i * 4 + b]);
        }
        for (int i = 16; i < 64; ++i) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a[8];
        std::copy(h, h + 8, a);
        for (int i = 0; i < 64; ++i) {
            uint32_t s1 = rotr(a[4], 6) ^ rotr(a[4], 11) ^ rotr(a[4], 25);
            uint32_t ch = (a[4] & a[5]) ^ (~a[4] & a[6]);
            uint32_t t1 = a[7] + s1 + ch + k[i] + w[i];
            uint32_t s0 = rotr(a[0], 2) ^ rotr(a[0], 13) ^ rotr(a[0], 22);
            uint32_t maj = (a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]);
            uint32_t t2 = s0 + maj;
            for (int j = 7; j > 0; --j)
                a[j] = a[j - 1];
            a[4] += t1;
            a[0] = t1 + t2;
        }
        for (int i = 0; i < 8; ++i)
            h[i] += a[i];
    }
    std::string out;
    char buf[9];
    for (uint32_t v : h) {
        std::snprintf(buf, sizeof buf, "%08x", v);
        out += buf;
    }
    return out;
}

std::string uuidv4() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    uint64_t a = rng(), b = rng();
    a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
    b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                  static_cast<unsigned>(b >> 48),
                  static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
    return buf;
}

std::string path_base(std::string p) {
    if (p.empty()) return ".";
    while (p.size() > 0 && p.back() == '/')
        p.pop_back();
    if (auto k = p.rfind('/'); k != std::string::npos) p = p.substr(k + 1);
    return p.empty() ? "/" : p;
}

std::string path_dir(const std::string& p) {
    auto k = p.rfind('/');
    return path_clean(k == std::string::npos ? "" : p.substr(0, k + 1));
}

std::string path_ext(const std::string& p) {
    for (size_t i = p.size(); i > 0 && p[i - 1] != '/'; --i) {
        if (p[i - 1] == '.') return p.substr(i - 1);
    }
    return "";
}

Value str(std::string s) {
    return Value::string(std::move(s));
}

void add_json(FuncMap& m) {
    auto json_fn = [](bool pretty, bool html, bool must) {
        return [=](const Value&, std::vector<Value>& a) {
            auto s = to_go_json(a[0], pretty, html);
            if (!s) {
                std::string what = std::isnan(a[0].f) ? "NaN" : sprint_value(a[0]);
                if (must || !html) throw CallError{"json: unsupported value: " + what};
                return str("");
            }
            return str(*s);
        };
    };
    m["toJson"] = fn({{Arg::Any}}, json_fn(false, true, false));
    m["mustToJson"] = fn({{Arg::Any}}, json_fn(false, true, true));
    m["toPrettyJson"] = fn({{Arg::Any}}, json_fn(true, true, false));
    m["mustToPrettyJson"] = fn({{Arg::Any}}, json_fn(true, true, true));
    m["toRawJson"] = fn({{Arg::Any}}, json_fn(false, false, false));
    m["mustToRawJson"] = fn({{Arg::Any}}, json_fn(false, false, true));
    m["fromJson"] = fn({{Arg::String}}, [](const Value&, std::vector<Value>& a) {
        auto v = parse_json(a[0].s);
        return v ? *v : Value::nil();
    });
}

}  // namespace

void add_sprig_encoding(FuncMap& m) {
    add_json(m);
    const Signature s1{{Arg::String}};
    m["b64enc"] = fn(s1, [](const Value&, std::vector<Value>& a) { return str(b64enc(a[0].s)); });
    m["b64dec"] = fn(s1, [](const Value&, std::vector<Value>& a) { return str(b64dec(a[0].s)); });
    m["sha256sum"] =
        fn(s1, [](const Value&, std::vector<Value>& a) { return str(sha256_hex(a[0].s)); });
    m["uuidv4"] = fn({}, [](const Value&, std::vector<Value>&) { return str(uuidv4()); });
    m["base"] = fn(s1, [](const Value&, std::vector<Value>& a) { return str(path_base(a[0].s)); });
    m["dir"] = fn(s1, [](const Value&, std::vector<Value>& a) { return str(path_dir(a[0].s)); });
    m["ext"] = fn(s1, [](const Value&, std::vector<Value>& a) { return str(path_ext(a[0].s)); });
    m["clean"] =
        fn(s1, [](const Value&, std::vector<Value>& a) { return str(path_clean(a[0].s)); });
    m["isAbs"] = fn(s1, [](const Value&, std::vector<Value>& a) {
        return Value::boolean(!a[0].s.empty() && a[0].s[0] == '/');
    });
}

}  // namespace drover::tmpl
