// spec 8: where a machine's param value comes from. First hit wins, in this order: the machine,
// its profiles in order (each profile's own params, then its nested profiles depth first), the
// current stage, the stage's profiles, the global profile, global's nested profiles, and last the
// Param's schema default. Nested-profile cycles are cut (a profile is consulted once).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "common/model/machine.hpp"
#include "common/rules/catalog.hpp"

namespace drover::rules {

enum class ParamSourceKind {
    Machine,
    Profile,
    Stage,
    StageProfile,
    Global,
    GlobalProfile,
    Default
};

struct ParamSource {
    ParamSourceKind kind = ParamSourceKind::Machine;
    std::string name;  // the machine's Uuid, the profile's or stage's name; the param for Default
};

struct ResolvedParam {
    model::Json value;
    ParamSource source;
};

std::string to_string(ParamSourceKind k);

class ParamResolver {
  public:
    ParamResolver(const model::Machine& machine, const Catalog& catalog);

    // `.Param` / single GET with aggregate: the first hit including the schema default.
    std::optional<ResolvedParam> resolve(const std::string& name) const;
    // `?aggregate=true` on the whole map: first hit per name, without schema defaults.
    std::map<std::string, ResolvedParam> aggregate() const;
    // Every level holding `name`, highest precedence first, then the schema default: what
    // `.ComposeParam` merges (compose_values).
    std::vector<ResolvedParam> hits(const std::string& name) const;

  private:
    struct Level {
        ParamSource source;
        const model::Params* params;
    };
    void add_profile_levels(const std::string& profile, ParamSourceKind kind,
                            std::vector<std::string>& seen);

    const Catalog& catalog_;
    std::vector<Level> levels_;
};

// `.ComposeParam` over hits(): objects merged across every level (higher precedence wins per
// key, recursively), arrays concatenated from highest to lowest precedence, scalars first-wins;
// nullopt when there are none.
std::optional<model::Json> compose_values(const std::vector<ResolvedParam>& hits);

}  // namespace drover::rules
