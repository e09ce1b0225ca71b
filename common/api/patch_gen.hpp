// GenPatch (spec 6.2): the JSON Patch the CLI's `update` sends so the server detects concurrent
// edits. Every changed value is guarded by a `test` of what the client last saw, so applying
// gen_patch(a, b) to a yields b, and applying it to anything that changed underneath fails.
#pragma once
#include <nlohmann/json.hpp>

#include "common/api/json_patch.hpp"

namespace drover::api {

// Recursive diff of objects; anything else (scalars, arrays as a whole, a type change) that is
// not JSON-equal becomes `test old` + `replace new`. A removed member is `test old` + `remove`,
// an added one a plain `add` (there is nothing to test). Members are visited in key order, so
// the patch is deterministic. `paranoid` (DRP's ParanoidPatch, `--ref`) prepends
// `test "" <whole old>`, so the patch applies only to exactly `old_doc`.
JsonPatch gen_patch(const nlohmann::json& old_doc, const nlohmann::json& new_doc,
                    bool paranoid = false);

}  // namespace drover::api
