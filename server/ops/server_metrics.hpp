// droverd's metrics beyond the router's request counts, read from each component at scrape
// time: jobs, event streams and events, the store's group commit and data file, job log bytes,
// HTTP connections and busy rejections. Components count with relaxed atomics on their hot
// paths; only this scrape reads them together.
#pragma once

#include "server/ops/exposition.hpp"

namespace drover::store {
class Store;
}
namespace drover::events {
class EventBus;
}
namespace drover::jobs {
class JobEngine;
class JobLogStore;
}  // namespace drover::jobs
namespace drover::http {
class Server;
}

namespace drover::ops {

struct ServerMetricSources {
    const store::Store& store;
    const events::EventBus& bus;
    const jobs::JobEngine& engine;
    const jobs::JobLogStore& logs;
    const http::Server& http;
};

void write_server_metrics(const ServerMetricSources& from, Exposition& out);

}  // namespace drover::ops
