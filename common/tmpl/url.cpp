// Port of the parts of Go's net/url parse path that decide .ParseURL results and errors.
#include "common/tmpl/url.hpp"

#include <cctype>
#include <string_view>

#include "common/tmpl/gofmt.hpp"

namespace drover::tmpl {

namespace {

enum class Mode { Path, Host, Zone, UserPassword, Fragment };

bool is_hex(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}
int unhex(char c) {
    return c <= '9' ? c - '0' : (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
}

bool should_escape(char c, Mode mode) {
    if (std::isalnum(static_cast<unsigned char>(c))) return false;
    if (mode == Mode::Host || mode == Mode::Zone) {
        if (std::string_view("!$&'()*+,;=:[]<>\"").find(c) != std::string_view::npos) return false;
    }
    if (std::string_view("-_.~").find(c) != std::string_view::npos) return false;
    if (std::string_view("$&+,/:;=?@").find(c) != std::string_view::npos) {
        switch (mode) {
            case Mode::Path:
                return c == '?';
            case Mode::UserPassword:
                return c == '@' || c == '/' || c == '?' || c == ':';
            case Mode::Fragment:
                return false;
            default:
                break;
        }
    }
    if (mode == Mode::Fragment && std::string_view("!()*").find(c) != std::string_view::npos) {
        return false;
    }
    return true;
}

// net/url unescape; nullopt with *err set on failure.
std::optional<std::string> unescape(std::string_view s, Mode mode, std::string* err) {
    for (size_t i = 0; i < s.size();) {
        if (s[i] == '%') {
            if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) {
                *err = "invalid URL escape " + go_quote(s.substr(i, 3));
                return std::nullopt;
            }
            if (mode == Mode::Host && unhex(s[i + 1]) < 8 && s.substr(i, 3) != "%25") {
                *err = "invalid URL escape " + go_quote(s.substr(i, 3));
                return std::nullopt;
            }
            if (mode == Mode::Zone) {
                char v = static_cast<char>(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
                if (s.substr(i, 3) != "%25" && v != ' ' && should_escape(v, Mode::Host)) {
                    *err = "invalid URL escape " + go_quote(s.substr(i, 3));
                    return std::nullopt;
                }
            }
            i += 3;
        } else {
            if ((mode == Mode::Host || mode == Mode::Zone) &&
                static_cast<unsigned char>(s[i]) < 0x80 && should_escape(s[i], mode)) {
                *err = "invalid character " + go_quote(s.substr(i, 1)) + " in host name";
                return std::nullopt;
            }
            ++i;
        }
    }
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            out += static_cast<char>(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

bool valid_optional_port(std::string_view port) {
    if (port.empty()) return true;
    if (port[0] != ':') return false;
    for (char c : port.substr(1)) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

std::optional<std::string> parse_host(std::string_view host, std::string* err) {
    if (host.starts_with("[")) {
        size_t i = host.rfind(']');
        if (i == std::string_view::npos) {
            *err = "missing ']' in host";
            return std::nullopt;
        }
        std::string_view colon_port = host.substr(i + 1);
        if (!valid_optional_port(colon_port)) {
            *err = "invalid port " + go_quote(colon_port) + " after host";
            return std::nullopt;
        }
        size_t zone = host.substr(0, i).find("%25");
        if (zone != std::string_view::npos) {
            auto h1 = unescape(host.substr(0, zone), Mode::Host, err);
            auto h2 = h1 ? unescape(host.substr(zone, i - zone), Mode::Zone, err) : std::nullopt;
            auto h3 = h2 ? unescape(host.substr(i), Mode::Host, err) : std::nullopt;
            if (!h3) return std::nullopt;
            return *h1 + *h2 + *h3;
        }
    } else if (size_t i = host.rfind(':'); i != std::string_view::npos) {
        if (!valid_optional_port(host.substr(i))) {
            *err = "invalid port " + go_quote(host.substr(i)) + " after host";
            return std::nullopt;
        }
    }
    return unescape(host, Mode::Host, err);
}

bool valid_userinfo(std::string_view s) {
    for (char c : s) {
        if (std::isalnum(static_cast<unsigned char>(c))) continue;
        if (std::string_view("-._:~!$&'()*+,;=%@").find(c) == std::string_view::npos) return false;
    }
    return true;
}

bool parse_rest(std::string_view raw, GoUrl& u, std::string* err) {
    std::string_view rest = raw;
    // getScheme
    for (size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (std::isalpha(static_cast<unsigned char>(c))) continue;
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.') {
            if (i == 0) break;
            continue;
        }
        if (c == ':') {
            if (i == 0) {
                *err = "missing protocol scheme";
                return false;
            }
            u.scheme = std::string(raw.substr(0, i));
            for (auto& ch : u.scheme)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            rest = raw.substr(i + 1);
        }
        break;
    }
    size_t q = rest.find('?');
    if (q != std::string_view::npos) rest = rest.substr(0, q);
    if (!rest.starts_with("/")) {
        if (!u.scheme.empty()) return true;  // opaque: no host, no path
        std::string_view segment = rest.substr(0, rest.find('/'));
        if (segment.find(':') != std::string_view::npos) {
            *err = "first path segment in URL cannot contain colon";
            return false;
        }
    }
    if ((!u.scheme.empty() || !rest.starts_with("///")) && rest.starts_with("//")) {
        std::string_view authority = rest.substr(2);
        size_t slash = authority.find('/');
        rest = slash == std::string_view::npos ? std::string_view() : authority.substr(slash);
        authority = authority.substr(0, slash);
        size_t at = authority.rfind('@');
        auto host =
            parse_host(at == std::string_view::npos ? authority : authority.substr(at + 1), err);
        if (!host) return false;
        if (at != std::string_view::npos) {
            std::string_view userinfo = authority.substr(0, at);
            if (!valid_userinfo(userinfo)) {
                *err = "net/url: invalid userinfo";
                return false;
            }
            size_t colon = userinfo.find(':');
            if (!unescape(userinfo.substr(0, colon), Mode::UserPassword, err)) return false;
            if (colon != std::string_view::npos &&
                !unescape(userinfo.substr(colon + 1), Mode::UserPassword, err)) {
                return false;
            }
        }
        u.host = *host;
    }
    auto path = unescape(rest, Mode::Path, err);
    if (!path) return false;
    u.path = *path;
    return true;
}

}  // namespace

std::string GoUrl::hostname() const {
    std::string h = host;
    size_t colon = h.rfind(':');
    if (colon != std::string::npos && valid_optional_port(std::string_view(h).substr(colon))) {
        h = h.substr(0, colon);
    }
    if (h.starts_with("[") && h.ends_with("]")) h = h.substr(1, h.size() - 2);
    return h;
}

std::optional<GoUrl> go_url_parse(const std::string& raw, std::string* err) {
    auto fail = [&](const std::string& why) {
        *err = "parse " + go_quote(raw) + ": " + why;
        return std::nullopt;
    };
    std::string_view u = raw;
    size_t hash = u.find('#');
    std::string_view frag =
        hash == std::string_view::npos ? std::string_view() : u.substr(hash + 1);
    u = u.substr(0, hash);
    std::string why;
    for (char c : u) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
            return fail("net/url: invalid control character in URL");
        }
    }
    GoUrl out;
    if (!parse_rest(u, out, &why)) return fail(why);
    if (!unescape(frag, Mode::Fragment, &why)) return fail(why);
    return out;
}

}  // namespace drover::tmpl
