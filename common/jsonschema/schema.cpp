// The parts of the public API that are neither compiling nor validating.
#include "common/jsonschema/schema.hpp"

#include "common/jsonschema/node.hpp"

namespace drover::jsonschema {

Draft Schema::draft() const {
    return impl_->draft;
}

std::string to_string(const ValidationError& error) {
    return (error.instance_pointer.empty() ? std::string("(root)") : error.instance_pointer) +
           ": " + error.message;
}

std::string to_string(const SchemaError& error) {
    return "schema " +
           (error.schema_pointer.empty() ? std::string("(root)") : error.schema_pointer) + ": " +
           error.message;
}

}  // namespace drover::jsonschema
