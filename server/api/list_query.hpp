// spec 6.2 list queries: filters, sort, reverse, offset and limit applied to one object type's
// objects, in that order. Bad parameters are a 400 with the DRP error body.
#pragma once
#include <map>
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

api::Expected<ListPage, model::Error> apply_list_query(
    const std::string& prefix, std::vector<model::Json> items,
    const std::multimap<std::string, std::string>& query);

}  // namespace drover::api_routes
