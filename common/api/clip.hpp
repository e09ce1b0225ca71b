// Error messages echo client input; clip() bounds the echo (hostile input can be megabytes) and
// cuts on a UTF-8 character boundary, so a clipped message is still valid UTF-8 for a JSON body.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace drover::api {

inline constexpr std::size_t kMaxEcho = 128;

inline std::string clip(std::string_view s, std::size_t max = kMaxEcho) {
    if (s.size() <= max) return std::string(s);
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;  // s[n] continues a multi-byte character: cut before that character starts
    return std::string(s.substr(0, n)) + "...";
}

}  // namespace drover::api
