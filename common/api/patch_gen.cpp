#include "common/api/patch_gen.hpp"

namespace drover::api {

using nlohmann::json;

namespace {

PatchOp make_op(PatchOpKind kind, const PointerTokens& at, json value = nullptr) {
    PatchOp op;
    op.kind = kind;
    op.path = format_pointer(at);
    op.path_tokens = at;
    op.value = std::move(value);
    return op;
}

void diff(const json& old_v, const json& new_v, PointerTokens& at, JsonPatch& out) {
    if (old_v == new_v) return;
    if (!old_v.is_object() || !new_v.is_object()) {
        out.ops.push_back(make_op(PatchOpKind::Test, at, old_v));
        out.ops.push_back(make_op(PatchOpKind::Replace, at, new_v));
        return;
    }
    for (const auto& [key, value] : old_v.items()) {
        at.push_back(key);
        auto it = new_v.find(key);
        if (it == new_v.end()) {
            out.ops.push_back(make_op(PatchOpKind::Test, at, value));
            out.ops.push_back(make_op(PatchOpKind::Remove, at));
        } else {
            diff(value, *it, at, out);
        }
        at.pop_back();
    }
    for (const auto& [key, value] : new_v.items()) {
        if (old_v.contains(key)) continue;
        at.push_back(key);
        out.ops.push_back(make_op(PatchOpKind::Add, at, value));
        at.pop_back();
    }
}

}  // namespace

JsonPatch gen_patch(const json& old_doc, const json& new_doc, bool paranoid) {
    JsonPatch patch;
    PointerTokens at;
    if (paranoid) patch.ops.push_back(make_op(PatchOpKind::Test, at, old_doc));
    diff(old_doc, new_doc, at, patch);
    return patch;
}

}  // namespace drover::api
