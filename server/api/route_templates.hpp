// The route template of a request path, the `route` label of droverd's request metrics and
// logs: "/api/v3/machines/{id}/params/{name}" for any machine and param. Templates come from a
// fixed list built from the API's object types and sub-resources, so the label's cardinality is
// bounded by the API, never by the IDs clients send; anything else is "other".
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace drover::api_routes {

class RouteTemplates {
  public:
    // `object_prefixes`: the collections under /api/v3 (machines, jobs, ...).
    explicit RouteTemplates(const std::vector<std::string>& object_prefixes);

    // Every template, "other" last; indexes are positions in it.
    const std::vector<std::string>& names() const { return names_; }
    std::size_t index_of(std::string_view path) const;
    const std::string& name_of(std::string_view path) const { return names_[index_of(path)]; }

  private:
    void add(std::string name);

    std::vector<std::string> names_;
    std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace drover::api_routes
