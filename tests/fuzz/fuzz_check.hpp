// What every fuzz target shares: a property check that stops the fuzzer with a message (libFuzzer
// then saves the input as a crash), and the input as text. Targets check properties the module
// headers promise, not only the absence of crashes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond, what)                                                                  \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            std::fprintf(stderr, "property violated at %s:%d: %s\n", __FILE__, __LINE__, what); \
            std::abort();                                                                       \
        }                                                                                       \
    } while (0)

namespace drover::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The text before the first occurrence of `sep` and the text after it; without `sep`, the whole
// input is `rest`.
struct Split {
    std::string_view head;
    std::string_view rest;
    bool found = false;
};

inline Split split_at(std::string_view text, std::string_view sep) {
    auto at = text.find(sep);
    if (at == std::string_view::npos) return {{}, text, false};
    return {text.substr(0, at), text.substr(at + sep.size()), true};
}

}  // namespace drover::fuzz
