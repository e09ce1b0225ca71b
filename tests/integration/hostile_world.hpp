// The droverd under attack in the hostile-HTTP test: one object of every type (a job included),
// the route templates droverd itself labels its metrics with (server/api/route_templates) made
// concrete with those objects' keys, and snapshots of every collection to prove the attack
// changed nothing.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "droverd_process.hpp"

namespace drover::testing {

class HostileWorld {
  public:
    // droverd with a 64 KiB body limit and a 2 s request timeout, so both are cheap to exceed.
    HostileWorld();

    static constexpr std::size_t kMaxBodyBytes = 64 * 1024;
    static constexpr int kRequestTimeoutSeconds = 2;

    DroverdProcess& droverd() { return droverd_; }
    // The key of this test's object in each collection ("machines" -> its Uuid, ...).
    const std::map<std::string, std::string>& keys() const { return keys_; }
    // Every route template but "other", {id} replaced by the collection's key of this test's
    // object, {name} by its param's name, other placeholders by "hostile".
    std::vector<std::string> routes() const;
    // The templates that have placeholders, each replaced by `hostile_key` (already encoded).
    std::vector<std::string> routes_with_key(const std::string& hostile_key) const;
    // Every collection as GET lists it (decoded, so secure values count too).
    std::map<std::string, nlohmann::json> snapshot() const;

  private:
    void create_objects();

    DroverdProcess droverd_;
    std::map<std::string, std::string> keys_;
};

// The collection a concrete path under /api/v3 belongs to ("" when none).
std::string prefix_of(const std::string& path);

}  // namespace drover::testing
