// spec 6.2 list queries: filters, sort, reverse, offset and limit applied to one object type's
// objects, in that order. Bad parameters are a 400 with the DRP error body.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "common/api/expected.hpp"
#include "common/model/error.hpp"

namespace drover::objects {
class ObjectService;
}

namespace drover::api_routes {

struct ListPage {
    std::vector<model::Json> items;  // empty with ListItems::CountOnly
    std::size_t count = 0;           // the page's length
    std::size_t total = 0;     // objects of the type
    std::size_t filtered = 0;  // after filters, before offset/limit
};

// GET /<prefix>: the list query applied to the type's objects in one snapshot. When every filter
// and sort key is a plain member (the usual case) only those members of each object are read,
// and only the objects on the page whole; a param name as a key (machines, profiles: spec 6.2,
// for machines the aggregated value of spec 8) or a decoded read takes every object whole.
// With CountOnly (HEAD) the page's objects are counted, not read.
enum class ListItems { Read, CountOnly };
api::Expected<ListPage, model::Error> list_objects(
    const objects::ObjectService& objects, const std::string& prefix,
    const std::multimap<std::string, std::string>& query, bool decode, ListItems items);

}  // namespace drover::api_routes
