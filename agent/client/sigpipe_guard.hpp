// httplib sends TLS records through OpenSSL's socket BIO, which uses write(2): a server that has
// closed the connection would raise SIGPIPE and kill drover. Ignoring SIGPIPE process-wide is not
// an option (task scripts would inherit the ignored signal), so each client call that may write
// to a TLS socket holds this guard: SIGPIPE is blocked on the calling thread for its life, one
// raised meanwhile is consumed, and the thread's old mask comes back (the libpq technique).
#pragma once
#include <signal.h>

namespace drover::client {

class SigpipeGuard {
  public:
    SigpipeGuard();
    ~SigpipeGuard();
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

  private:
    sigset_t old_mask_;
    bool was_pending_ = false;  // then it is not ours to consume
};

}  // namespace drover::client
