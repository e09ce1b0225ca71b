// JSON Pointer (RFC 6901) helpers: escaping reference tokens, resolving "#/a/b" $ref fragments
// against a document, and an append-only path that the validator grows and shrinks as it
// descends into an instance. Pointers are strings; "" is the whole document.
#pragma once
#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drover::jsonschema {

// "a/b~c" -> "a~1b~0c".
std::string escape_token(std::string_view token);

// "/a~1b/0" -> {"a/b", "0"}; nullopt when not a valid pointer (no leading '/', bad '~' escape).
std::optional<std::vector<std::string>> split_pointer(std::string_view pointer);

// The value at `pointer` inside `doc`, or nullptr if absent. Array tokens must be canonical
// decimal indexes ("0", "12"; not "01" or "-").
const nlohmann::json* resolve_pointer(const nlohmann::json& doc, std::string_view pointer);

// A URI fragment as a JSON pointer: "#/definitions/a%20b" -> "/definitions/a b", with every
// token re-escaped canonically so equal locations compare equal. nullopt if not a pointer
// fragment (for example "#foo" anchors) or if the %-encoding is broken.
std::optional<std::string> fragment_to_pointer(std::string_view fragment);

// The instance location while validating: push a token on the way down, pop on the way up.
class PointerPath {
  public:
    const std::string& str() const { return path_; }

    class Guard {
      public:
        Guard(PointerPath& path, std::string_view token);
        Guard(PointerPath& path, std::size_t index);
        ~Guard() { path_.path_.resize(saved_); }
        Guard(const Guard&) = delete;
        Guard& operator=(const Guard&) = delete;

      private:
        PointerPath& path_;
        std::size_t saved_;
    };

  private:
    std::string path_;
};

}  // namespace drover::jsonschema
