#include "common/security/base64.hpp"

#include <array>
#include <cstdint>

namespace drover::security {

namespace {

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view in, std::string_view alphabet, bool pad) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto byte = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(in[k]));
    };
    for (; i + 2 < in.size(); i += 3) {
        std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        for (int shift = 18; shift >= 0; shift -= 6)
            out += alphabet[(n >> shift) & 63];
    }
    std::size_t rest = in.size() - i;
    if (rest == 0) return out;
    std::uint32_t n = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (rest == 2) out += alphabet[(n >> 6) & 63];
    if (pad) out.append(rest == 2 ? 1 : 2, '=');
    return out;
}

std::optional<std::string> decode(std::string_view in, std::string_view alphabet, bool padded) {
    if (padded) {
        if (in.size() % 4 != 0) return std::nullopt;
        std::size_t pads = 0;
        while (pads < 2 && pads < in.size() && in[in.size() - 1 - pads] == '=')
            ++pads;
        in.remove_suffix(pads);
    } else if (in.size() % 4 == 1) {
        return std::nullopt;
    }
    std::array<int, 256> value{};
    value.fill(-1);
    for (std::size_t k = 0; k < alphabet.size(); ++k)
        value[static_cast<unsigned char>(alphabet[k])] = static_cast<int>(k);
    std::string out;
    out.reserve(in.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        int v = value[static_cast<unsigned char>(c)];
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    // Canonical form: the bits left over after the last byte are zero.
    if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    return encode(bytes, kStd, true);
}

std::optional<std::string> base64_decode(std::string_view text) {
    return decode(text, kStd, true);
}

std::string base64url_encode(std::string_view bytes) {
    return encode(bytes, kUrl, false);
}

std::optional<std::string> base64url_decode(std::string_view text) {
    return decode(text, kUrl, false);
}

}  // namespace drover::security
