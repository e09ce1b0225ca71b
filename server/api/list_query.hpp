// spec 6.2 list queries: filters, sort, reverse, offset and limit applied to one object type's
// objects, in that order. Bad parameters are a 400 with the DRP error body.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/api/expected.hpp"
#include "common/model/error.hpp"

namespace drover::api_routes {

struct ListPage {
    std::vector<model::Json> items;
    std::size_t total = 0;     // objects of the type
    std::size_t filtered = 0;  // after filters, before offset/limit
};

// For machines and profiles a filter or sort key that is not an index names a param (spec 6.2);
// this gives its value for one object (for machines the aggregated value of spec 8).
using ParamLookup =
    std::function<std::optional<model::Json>(const model::Json& obj, const std::string& name)>;

api::Expected<ListPage, model::Error> apply_list_query(
    const std::string& prefix, std::vector<model::Json> items,
    const std::multimap<std::string, std::string>& query, const ParamLookup& param_value);

}  // namespace drover::api_routes
