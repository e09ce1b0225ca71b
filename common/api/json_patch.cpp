#include "common/api/json_patch.hpp"

#include "common/api/clip.hpp"

#include <array>
#include <utility>

namespace drover::api {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<std::string_view, PatchOpKind>, 6> kOpNames{{
    {"add", PatchOpKind::Add},
    {"remove", PatchOpKind::Remove},
    {"replace", PatchOpKind::Replace},
    {"move", PatchOpKind::Move},
    {"copy", PatchOpKind::Copy},
    {"test", PatchOpKind::Test},
}};

bool needs_value(PatchOpKind k) {
    return k == PatchOpKind::Add || k == PatchOpKind::Replace || k == PatchOpKind::Test;
}
bool needs_from(PatchOpKind k) {
    return k == PatchOpKind::Move || k == PatchOpKind::Copy;
}

// ---- parsing ----

PatchParseError op_error(std::size_t index, std::string_view op, const std::string& what) {
    std::string prefix = "op " + std::to_string(index);
    if (!op.empty()) prefix += " (" + std::string(op) + ")";
    return {index, prefix + ": " + what, 400};
}

// Reads a pointer member; on error fills `err` and returns nullopt.
std::optional<std::pair<std::string, PointerTokens>> pointer_member(const json& op,
                                                                    const char* member,
                                                                    std::size_t index,
                                                                    std::string_view name,
                                                                    PatchParseError& err) {
    auto it = op.find(member);
    if (it == op.end() || !it->is_string()) {
        err = op_error(index, name, std::string("missing or non-string \"") + member + "\"");
        return std::nullopt;
    }
    std::string text = it->get<std::string>();
    auto tokens = parse_pointer(text);
    if (!tokens) {
        err = op_error(index, name, std::string("\"") + member + "\": " + tokens.error().message);
        if (tokens.error().too_deep) err.http_status = 422;
        return std::nullopt;
    }
    return std::make_pair(std::move(text), std::move(*tokens));
}

Expected<PatchOp, PatchParseError> parse_op(const json& raw, std::size_t index) {
    if (!raw.is_object()) return unexpected(op_error(index, "", "not a JSON object"));
    auto op_it = raw.find("op");
    if (op_it == raw.end() || !op_it->is_string())
        return unexpected(op_error(index, "", "missing or non-string \"op\""));
    const auto& name = op_it->get_ref<const std::string&>();
    PatchOp op;
    bool known = false;
    for (const auto& [n, k] : kOpNames) {
        if (n != name) continue;
        op.kind = k;
        known = true;
    }
    if (!known) return unexpected(op_error(index, "", "unknown op \"" + clip(name) + "\""));

    PatchParseError err;
    auto path = pointer_member(raw, "path", index, name, err);
    if (!path) return unexpected(std::move(err));
    op.path = std::move(path->first);
    op.path_tokens = std::move(path->second);
    if (needs_from(op.kind)) {
        auto from = pointer_member(raw, "from", index, name, err);
        if (!from) return unexpected(std::move(err));
        op.from = std::move(from->first);
        op.from_tokens = std::move(from->second);
    }
    if (needs_value(op.kind)) {
        auto value = raw.find("value");
        if (value == raw.end()) return unexpected(op_error(index, name, "missing \"value\""));
        op.value = *value;
    }
    return op;
}

// ---- applying: every helper reports failure as a reason string, empty on success ----

std::string json_text(const std::string& s) {
    return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Client-supplied text in a reason, as a bounded JSON string.
std::string quoted(const std::string& s) {
    return json_text(clip(s));
}

std::string describe(const PointerTokens& tokens) {
    return quoted(format_pointer(tokens));
}

// The container holding the last token of `tokens` (which must be non-empty).
json* parent_of(json& doc, const PointerTokens& tokens, std::string& why,
                const char* label = "path") {
    json* at = &doc;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        const auto& token = tokens[i];
        if (at->is_object()) {
            auto it = at->find(token);
            if (it == at->end())
                at = nullptr;
            else
                at = &*it;
        } else if (at->is_array()) {
            auto index = parse_array_index(token);
            at = index && *index < at->size() ? &(*at)[*index] : nullptr;
        } else {
            at = nullptr;
        }
        if (!at) {
            why = std::string(label) + " " + describe(tokens) + ": " +
                  describe(PointerTokens(tokens.begin(), tokens.begin() + i + 1)) +
                  " does not exist";
            return nullptr;
        }
    }
    if (!at->is_object() && !at->is_array()) {
        why = std::string(label) + " " + describe(tokens) +
              ": parent is neither an object nor an array";
        return nullptr;
    }
    return at;
}

// The existing value at `tokens`, or nullptr with `why` set (naming the pointer as `label`).
json* locate(json& doc, const PointerTokens& tokens, std::string& why, const char* label = "path") {
    if (tokens.empty()) return &doc;
    json* parent = parent_of(doc, tokens, why, label);
    if (!parent) return nullptr;
    const auto& last = tokens.back();
    if (parent->is_object()) {
        auto it = parent->find(last);
        if (it != parent->end()) return &*it;
    } else {
        auto index = parse_array_index(last);
        if (index && *index < parent->size()) return &(*parent)[*index];
    }
    why = std::string(label) + " " + describe(tokens) + " does not exist";
    return nullptr;
}

std::string do_add(json& doc, const PointerTokens& tokens, json value) {
    if (tokens.empty()) {
        doc = std::move(value);
        return {};
    }
    std::string why;
    json* parent = parent_of(doc, tokens, why);
    if (!parent) return why;
    const auto& last = tokens.back();
    if (parent->is_object()) {
        (*parent)[last] = std::move(value);
        return {};
    }
    if (last == "-") {
        parent->push_back(std::move(value));
        return {};
    }
    auto index = parse_array_index(last);
    if (!index) return "path " + describe(tokens) + ": " + quoted(last) + " is not an array index";
    if (*index > parent->size())
        return "path " + describe(tokens) + ": index " + last + " is out of bounds (size " +
               std::to_string(parent->size()) + ")";
    parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(*index), std::move(value));
    return {};
}

// Removes the value at `tokens` and hands it back through `out`.
std::string do_remove(json& doc, const PointerTokens& tokens, json* out) {
    if (tokens.empty()) return "the whole document cannot be removed";
    std::string why;
    json* target = locate(doc, tokens, why);
    if (!target) return why;
    if (out) *out = std::move(*target);
    json* parent = parent_of(doc, tokens, why);
    if (parent->is_object()) {
        parent->erase(tokens.back());
    } else {
        parent->erase(*parse_array_index(tokens.back()));
    }
    return {};
}

std::string do_replace(json& doc, const PointerTokens& tokens, const json& value) {
    std::string why;
    json* target = locate(doc, tokens, why);
    if (!target) return why;
    *target = value;
    return {};
}

std::string do_move(json& doc, const PatchOp& op) {
    if (is_proper_prefix(op.from_tokens, op.path_tokens))
        return "cannot move " + describe(op.from_tokens) + " into its own child " +
               describe(op.path_tokens);
    std::string why;
    if (!locate(doc, op.from_tokens, why, "from")) return why;
    if (op.from_tokens == op.path_tokens) return {};
    json value;
    do_remove(doc, op.from_tokens, &value);
    return do_add(doc, op.path_tokens, std::move(value));
}

std::string do_copy(json& doc, const PatchOp& op) {
    std::string why;
    const json* source = locate(doc, op.from_tokens, why, "from");
    if (!source) return why;
    return do_add(doc, op.path_tokens, *source);
}

// nlohmann's == already compares numbers by value across integer/unsigned/float and recurses
// into arrays and objects, which is what RFC 6902 section 4.6 asks for.
std::string do_test(json& doc, const PatchOp& op) {
    std::string why;
    const json* target = locate(doc, op.path_tokens, why);
    if (!target) return why;
    return *target == op.value ? std::string() : std::string("Test op failed.");
}

std::string apply_one(json& doc, const PatchOp& op) {
    switch (op.kind) {
        case PatchOpKind::Add:
            return do_add(doc, op.path_tokens, op.value);
        case PatchOpKind::Remove:
            return do_remove(doc, op.path_tokens, nullptr);
        case PatchOpKind::Replace:
            return do_replace(doc, op.path_tokens, op.value);
        case PatchOpKind::Move:
            return do_move(doc, op);
        case PatchOpKind::Copy:
            return do_copy(doc, op);
        case PatchOpKind::Test:
            return do_test(doc, op);
    }
    return "unknown op";
}

}  // namespace

std::string_view op_name(PatchOpKind kind) {
    for (const auto& [n, k] : kOpNames)
        if (k == kind) return n;
    return "?";
}

Expected<JsonPatch, PatchParseError> parse_patch(const json& doc) {
    if (!doc.is_array())
        return unexpected(PatchParseError{std::nullopt, "a JSON Patch must be an array", 400});
    if (doc.size() > kMaxPatchOps)
        return unexpected(PatchParseError{
            std::nullopt, "a JSON Patch may have at most " + std::to_string(kMaxPatchOps) + " ops",
            422});
    JsonPatch patch;
    patch.ops.reserve(doc.size());
    for (std::size_t i = 0; i < doc.size(); ++i) {
        auto op = parse_op(doc[i], i);
        if (!op) return unexpected(op.error());
        patch.ops.push_back(std::move(*op));
    }
    return patch;
}

std::optional<PatchFailure> apply_patch(const JsonPatch& patch, json& doc) {
    json work = doc;  // atomicity: only a fully patched copy replaces the caller's document
    for (std::size_t i = 0; i < patch.ops.size(); ++i) {
        std::string why = apply_one(work, patch.ops[i]);
        // A test whose path vanished is as much a concurrent-edit conflict as an unequal value.
        if (!why.empty())
            return PatchFailure{i, std::move(why), patch.ops[i].kind == PatchOpKind::Test};
    }
    doc = std::move(work);
    return std::nullopt;
}

Expected<json, PatchFailure> patched(const JsonPatch& patch, const json& doc) {
    json out = doc;
    if (auto failure = apply_patch(patch, out)) return unexpected(std::move(*failure));
    return out;
}

json to_json(const PatchOp& op) {
    json out = {{"op", op_name(op.kind)}, {"path", op.path}};
    if (needs_from(op.kind)) out["from"] = op.from;
    if (needs_value(op.kind)) out["value"] = op.value;
    return out;
}

json to_json(const JsonPatch& patch) {
    json out = json::array();
    for (const auto& op : patch.ops)
        out.push_back(to_json(op));
    return out;
}

std::string drp_op_line(const PatchOp& op) {
    // Hand-assembled because nlohmann objects sort their keys and Go keeps struct order.
    return "{\"op\":" + json_text(std::string(op_name(op.kind))) +
           ",\"path\":" + json_text(op.path) + ",\"from\":" + json_text(op.from) +
           ",\"value\":" + op.value.dump(-1, ' ', false, json::error_handler_t::replace) + "}";
}

std::vector<std::string> drp_patch_error_messages(const JsonPatch& patch,
                                                  const PatchFailure& failure) {
    std::vector<std::string> messages{"Patch error at line " + std::to_string(failure.op_index) +
                                      ": " + failure.reason};
    if (failure.op_index < patch.ops.size())
        messages.push_back("Patch line: " + drp_op_line(patch.ops[failure.op_index]));
    return messages;
}

}  // namespace drover::api
