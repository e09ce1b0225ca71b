// Per-type rules the generic object collection applies on every write: which other objects an
// object names (for the reverse-reference index, delete protection and re-validation), the
// reference errors that make a valid object not Available (spec 1.0), and save-time rewrites.
#pragma once
#include <string>
#include <vector>

#include "common/model/bootenv.hpp"
#include "common/model/job.hpp"
#include "common/model/machine.hpp"
#include "common/model/param.hpp"
#include "common/model/profile.hpp"
#include "common/model/stage.hpp"
#include "common/model/task.hpp"
#include "common/model/template.hpp"
#include "common/model/user.hpp"
#include "common/model/workflow.hpp"
#include "server/objects/store_catalog.hpp"

namespace drover::objects {

struct ObjectRef {
    std::string prefix;
    std::string key;
    bool operator<(const ObjectRef& o) const {
        return std::tie(prefix, key) < std::tie(o.prefix, o.key);
    }
    bool operator==(const ObjectRef& o) const = default;
};

std::vector<ObjectRef> references_of(const model::Machine& m);
std::vector<ObjectRef> references_of(const model::Stage& s);
std::vector<ObjectRef> references_of(const model::Task& t);
std::vector<ObjectRef> references_of(const model::BootEnv& b);
std::vector<ObjectRef> references_of(const model::Workflow& w);
std::vector<ObjectRef> references_of(const model::Profile& p);
std::vector<ObjectRef> references_of(const model::Template& t);
std::vector<ObjectRef> references_of(const model::Param& p);
std::vector<ObjectRef> references_of(const model::Job& j);
std::vector<ObjectRef> references_of(const model::User& u);

// Errors that leave a syntactically valid object stored but not Available (spec 1.0).
model::Errors reference_errors(const model::Stage& s, const StoreCatalog& c);
model::Errors reference_errors(const model::Task& t, const StoreCatalog& c);
model::Errors reference_errors(const model::BootEnv& b, const StoreCatalog& c);
model::Errors reference_errors(const model::Workflow& w, const StoreCatalog& c);
model::Errors reference_errors(const model::Profile& p, const StoreCatalog& c);
model::Errors reference_errors(const model::Template& t, const StoreCatalog& c);
model::Errors reference_errors(const model::Param& p, const StoreCatalog& c);
model::Errors reference_errors(const model::Job& j, const StoreCatalog& c);
model::Errors reference_errors(const model::User& u, const StoreCatalog& c);

// Syntactic checks beyond model::validate that need more than the object's own fields
// (spec 1.10: a Param's Schema must compile and its default must satisfy it). Prefixed.
model::Errors extra_validation(const model::Param& p);
// spec 1.3: a Template's Contents, and every inline TemplateInfo's Contents and Path, must parse
// as Go text/template.
model::Errors extra_validation(const model::Template& t);
model::Errors extra_validation(const model::Task& t);
model::Errors extra_validation(const model::Stage& s);
model::Errors extra_validation(const model::BootEnv& b);
template <class T>
model::Errors extra_validation(const T&) {
    return {};
}

// spec 1.10/6.3: a value set for the defined Param `def` must satisfy its Schema; one message per
// failure naming the param and the rule ("Param console: /: 5 is not of type string"). With
// `secret` (issue 7) a message names the failing schema rule but never the value or its parts.
model::Errors param_value_errors(const model::Param& def, const model::Json& value, bool secret);

// Save-time rewrites (spec 1.2: tasks get sane-exit-codes; spec 1.6: RunnerWait forced true).
void on_save(model::Task& t);
void on_save(model::Stage& s);
template <class T>
void on_save(T&) {}

}  // namespace drover::objects
