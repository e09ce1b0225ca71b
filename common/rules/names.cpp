#include "common/rules/names.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/rules/unicode_classes.hpp"
#include "common/rules/utf8.hpp"

namespace drover::rules {

namespace {

enum class FirstRune { Letter, LetterOrNumber };

// All four DRP name regexes reduce to: at least two runes, a first rune of the given class,
// and every later rune a letter, a number or one of `separators`. (The trailing group is
// `(sep+|\pN+|\pL+)+`, which any such tail matches one rune at a time.)
bool matches_name_rule(std::string_view s, FirstRune first, std::string_view separators) {
    auto runes = decode_utf8(s);
    if (!runes || runes->size() < 2) return false;
    char32_t head = runes->front();
    bool head_ok =
        is_unicode_letter(head) || (first == FirstRune::LetterOrNumber && is_unicode_number(head));
    if (!head_ok) return false;
    return std::all_of(runes->begin() + 1, runes->end(), [&](char32_t r) {
        return is_unicode_letter(r) || is_unicode_number(r) ||
               (r < 0x80 && separators.find(static_cast<char>(r)) != std::string_view::npos);
    });
}

std::string quoted_error(std::string_view what, std::string_view s) {
    std::string msg(what);
    msg += " `";
    msg += s;
    msg += '`';
    return msg;
}

}  // namespace

bool valid_name(std::string_view s) {
    return matches_name_rule(s, FirstRune::Letter, "- _.");
}
bool valid_param_name(std::string_view s) {
    return matches_name_rule(s, FirstRune::Letter, "- _./");
}
bool valid_machine_name(std::string_view s) {
    return matches_name_rule(s, FirstRune::LetterOrNumber, "- _.");
}
bool valid_user_name(std::string_view s) {
    return matches_name_rule(s, FirstRune::Letter, "- _.@");
}

std::optional<std::string> name_error(std::string_view what, std::string_view s) {
    if (valid_name(s)) return std::nullopt;
    return quoted_error(what, s);
}

std::optional<std::string> param_name_error(std::string_view what, std::string_view s) {
    if (valid_param_name(s)) return std::nullopt;
    return quoted_error(what, s);
}

std::optional<std::string> machine_name_error(std::string_view what, std::string_view s) {
    if (valid_machine_name(s)) return std::nullopt;
    return quoted_error(what, s);
}

std::optional<std::string> normalize_arch(std::string_view arch) {
    struct Alias {
        std::string_view alias, arch;
    };
    static constexpr std::array<Alias, 22> kAliases{{
        {"amd64", "amd64"},       {"x86_64", "amd64"},  {"386", "386"},
        {"486", "386"},           {"686", "386"},       {"i386", "386"},
        {"i486", "386"},          {"i686", "386"},      {"arm", "arm"},
        {"armel", "arm"},         {"armhfp", "arm"},    {"arm64", "arm64"},
        {"aarch64", "arm64"},     {"ppc64", "ppc64"},   {"power9", "ppc64"},
        {"ppc64le", "ppc64le"},   {"mips64", "mips64"}, {"mips64le", "mips64le"},
        {"mips64el", "mips64le"}, {"s390x", "s390x"},   {"mips", "mips"},
        {"rpi4", "rpi4"},
    }};
    std::string lower(arch);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "mipsle" || lower == "mipsel") return std::string("mipsle");
    for (const auto& a : kAliases)
        if (a.alias == lower) return std::string(a.arch);
    return std::nullopt;
}

std::optional<std::string> arch_error(std::string_view arch) {
    auto normal = normalize_arch(arch);
    if (!normal) return "Unsupported arch " + std::string(arch);
    if (*normal != arch)
        return "Please use " + *normal + " for Arch instead of " + std::string(arch);
    return std::nullopt;
}

}  // namespace drover::rules
