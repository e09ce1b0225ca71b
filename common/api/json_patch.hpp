// RFC 6902 JSON Patch as DRP's PATCH endpoints apply it (spec 6.2, 6.3): parse once into typed
// ops, then apply atomically (on any failure the document is left exactly as it was). Parse
// errors and apply failures are different types because the server answers them differently.
#pragma once
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/expected.hpp"
#include "common/api/json_pointer.hpp"

namespace drover::api {

// A patch with more ops than this is refused unparsed (hostile input).
inline constexpr std::size_t kMaxPatchOps = 10000;

enum class PatchOpKind { Add, Remove, Replace, Move, Copy, Test };

// "add", "remove", ... as on the wire.
std::string_view op_name(PatchOpKind kind);

struct PatchOp {
    PatchOpKind kind = PatchOpKind::Test;
    std::string path;  // as sent, for messages
    PointerTokens path_tokens;
    std::string from;  // move and copy only
    PointerTokens from_tokens;
    nlohmann::json value;  // add, replace and test only (null is a legal value)

    friend bool operator==(const PatchOp&, const PatchOp&) = default;
};

struct JsonPatch {
    std::vector<PatchOp> ops;

    friend bool operator==(const JsonPatch&, const JsonPatch&) = default;
};

// Why a document is not a usable patch. RFC 5789 section 2.2 decides the status: a malformed
// patch document (not an array, an op that is not an object, `op` missing or unknown, `path` or
// `from` missing or not a valid pointer, `value` missing for add/replace/test) is 400; a
// well-formed patch the server refuses to process (more than kMaxPatchOps ops, a pointer deeper
// than kMaxPointerDepth) is 422. Neither ever reaches the document, so neither is a 409.
struct PatchParseError {
    std::optional<std::size_t> op_index;  // nullopt: the patch as a whole
    std::string message;                  // "op 2 (add): missing \"value\""
    int http_status = 400;
};

// One operation for a patch a client sends: {"op", "path", "value"}.
inline nlohmann::json patch_op(std::string_view op, std::string_view path, nlohmann::json value) {
    return {{"op", op}, {"path", path}, {"value", std::move(value)}};
}

// Members other than op/path/from/value are ignored (RFC 6902 A.11). A duplicated member is
// already resolved by the JSON parser before this sees it (RFC 6902 A.13 cannot be detected).
Expected<JsonPatch, PatchParseError> parse_patch(const nlohmann::json& doc);

// Why applying stopped. The server answers every PatchFailure with 409 (spec 6.2).
struct PatchFailure {
    std::size_t op_index = 0;  // 0-based, as DRP's "line"
    std::string reason;        // "Test op failed." or what was missing / out of bounds
    bool test_failed = false;  // a `test` op failed: unequal, or its path is gone (a conflict)
};

// Applies every op in order to `doc`. On success `doc` is the result and nullopt is returned;
// on failure `doc` is unchanged. `test` uses JSON equality with numbers compared by value
// (1 == 1.0), recursively inside arrays and objects.
std::optional<PatchFailure> apply_patch(const JsonPatch& patch, nlohmann::json& doc);

// The same, leaving `doc` alone and returning the patched copy.
Expected<nlohmann::json, PatchFailure> patched(const JsonPatch& patch, const nlohmann::json& doc);

// Wire form of an op / a patch ({"op","path"[,"from"][,"value"]}); parse_patch(to_json(p)) == p.
nlohmann::json to_json(const PatchOp& op);
nlohmann::json to_json(const JsonPatch& patch);

// The op as DRP prints it in error bodies: Go's struct encoding, fields in the order op, path,
// from, value, all four always present ({"op":"test","path":"/OS/Name","from":"","value":"x"}).
std::string drp_op_line(const PatchOp& op);

// The Messages of DRP's 409 PATCH error: {"Patch error at line N: <reason>",
// "Patch line: <drp_op_line>"}. Precondition: failure came from applying `patch`.
std::vector<std::string> drp_patch_error_messages(const JsonPatch& patch,
                                                  const PatchFailure& failure);

}  // namespace drover::api
