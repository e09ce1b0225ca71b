// Where a job's log goes: the runner's own lines and everything its commands print, in the
// order they happen. The agent's implementation feeds the log shipper (and its stdout).
#pragma once
#include <string_view>

namespace drover::agent {

class LogSink {
  public:
    virtual ~LogSink() = default;
    // Called from the runner's thread while a task runs; serialise inside if shared.
    virtual void write(std::string_view bytes) = 0;
};

}  // namespace drover::agent
