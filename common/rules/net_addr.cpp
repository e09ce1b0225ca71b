#include "common/rules/net_addr.hpp"

#include <cctype>
#include <string>

namespace drover::rules {

namespace {

bool is_hex(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

bool valid_octet_count(std::size_t octets) {
    return octets == 6 || octets == 8 || octets == 20;
}

// "aa:bb:cc:dd:ee:ff" or with '-': groups of exactly two hex digits.
bool valid_pair_form(std::string_view s, char sep) {
    if ((s.size() + 1) % 3 != 0) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool ok = (i % 3 == 2) ? s[i] == sep : is_hex(s[i]);
        if (!ok) return false;
    }
    return valid_octet_count((s.size() + 1) / 3);
}

// "aabb.ccdd.eeff": groups of exactly four hex digits.
bool valid_quad_form(std::string_view s) {
    if ((s.size() + 1) % 5 != 0) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool ok = (i % 5 == 4) ? s[i] == '.' : is_hex(s[i]);
        if (!ok) return false;
    }
    return valid_octet_count((s.size() + 1) / 5 * 2);
}

}  // namespace

bool valid_ipv4(std::string_view s) {
    int parts = 0;
    std::size_t i = 0;
    while (i <= s.size()) {
        std::size_t start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            ++i;
        std::size_t len = i - start;
        if (len == 0 || len > 3 || (len > 1 && s[start] == '0')) return false;
        if (std::stoi(std::string(s.substr(start, len))) > 255) return false;
        ++parts;
        if (i == s.size()) break;
        if (s[i] != '.' || parts == 4) return false;
        ++i;
    }
    return parts == 4;
}

bool valid_mac(std::string_view s) {
    if (s.size() < 14) return false;
    if (s[2] == ':' || s[2] == '-') return valid_pair_form(s, s[2]);
    if (s[4] == '.') return valid_quad_form(s);
    return false;
}

}  // namespace drover::rules
