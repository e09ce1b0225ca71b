// JSON Pointer (RFC 6901) helpers for the validator: resolving "#/a/b" $ref fragments against a
// document, and an append-only path it grows and shrinks as it descends into an instance.
// Parsing and escaping tokens is common/api/json_pointer's; pointers here are strings.
#pragma once
#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drover::jsonschema {

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
