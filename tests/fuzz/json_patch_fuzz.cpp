// JSON Patch (common/api/json_patch): any bytes as a document and a patch. Input: a JSON document
// on the first line and the patch after it; when the first line is not JSON the whole input is
// the patch, applied to a fixed machine. Properties beyond not crashing: parse errors carry a 400
// or 422; a parsed patch survives to_json/parse_patch unchanged; a failed apply leaves the
// document exactly as it was; apply_patch and patched agree.
#include <nlohmann/json.hpp>

#include "common/api/json_patch.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using drover::api::apply_patch;
using drover::api::parse_patch;
using nlohmann::json;

namespace {

const json& fixed_machine() {
    static const json doc = json::parse(R"({
        "Name": "m1", "Uuid": "3e1d7c3a-8e3a-4f7a-9a64-0c2b5d1e9f10", "Runnable": true,
        "Tasks": ["stage:discover", "a", "b"], "CurrentTask": 1,
        "Params": {"x": 1, "l": [1, 2.5, "s"], "m": {"a/b": {"~": null}}},
        "Meta": {"color": "blue"}, "Profiles": ["p1"]})");
    return doc;
}

void check_patch(const drover::api::JsonPatch& patch, const json& original) {
    auto again = parse_patch(to_json(patch));
    FUZZ_CHECK(again.has_value() && *again == patch, "to_json/parse_patch round trip");
    for (const auto& op : patch.ops)
        FUZZ_CHECK(!drover::api::drp_op_line(op).empty(), "drp_op_line is never empty");

    json doc = original;
    auto failure = apply_patch(patch, doc);
    auto copy = drover::api::patched(patch, original);
    if (failure) {
        FUZZ_CHECK(doc == original, "a failed patch leaves the document unchanged");
        FUZZ_CHECK(failure->op_index < patch.ops.size(), "the failing op exists");
        FUZZ_CHECK(!copy.has_value(), "patched fails where apply_patch fails");
        auto messages = drover::api::drp_patch_error_messages(patch, *failure);
        FUZZ_CHECK(messages.size() == 2, "DRP's 409 has two messages");
    } else {
        FUZZ_CHECK(copy.has_value() && *copy == doc, "patched equals apply_patch");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto parts = drover::fuzz::split_at(drover::fuzz::as_text(data, size), "\n");
    json doc = json::parse(parts.head, nullptr, false);
    std::string_view patch_text = parts.rest;
    if (doc.is_discarded()) {
        doc = fixed_machine();
        patch_text = drover::fuzz::as_text(data, size);
    }
    json patch_doc = json::parse(patch_text, nullptr, false);
    if (patch_doc.is_discarded()) return 0;
    auto patch = parse_patch(patch_doc);
    if (!patch) {
        FUZZ_CHECK(patch.error().http_status == 400 || patch.error().http_status == 422,
                   "a refused patch is a 400 or a 422");
        FUZZ_CHECK(!patch.error().message.empty(), "a refused patch says why");
        return 0;
    }
    check_patch(*patch, doc);
    return 0;
}
