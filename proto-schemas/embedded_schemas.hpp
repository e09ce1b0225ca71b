// The JSON Schema of every API object, compiled into the binaries from proto-schemas/.
// Names are the file stems ("machine", "job", ...); the list is sorted by name.
#pragma once
#include <string_view>
#include <vector>

namespace drover::schemas {

struct EmbeddedSchema {
    std::string_view name;
    std::string_view text;
};

const std::vector<EmbeddedSchema>& all();

}  // namespace drover::schemas
