#include "agent/fsm/machine_agent.hpp"

#include <iostream>
#include <memory>
#include <thread>

#include "agent/client/event_wakeups.hpp"
#include "agent/fsm/agent_core.hpp"
#include "agent/fsm/log_shipper.hpp"
#include "agent/fsm/saved_token.hpp"

namespace drover::agent {

namespace {

using Clock = std::chrono::steady_clock;

void log_line(const std::string& line) {
    std::cerr << "agent: " << line << std::endl;
}

// The agent's own driver of AgentCore: one thread, waits on the machine's event stream.
class BlockingDriver {
  public:
    BlockingDriver(const AgentOptions& o, const std::atomic<bool>& stop)
        : o_(o),
          stop_(stop),
          token_(pick_start_token(o.state_dir, o.machine, o.client.token)),
          api_(client_options(token_)),
          runner_(make_process_runner()),
          core_(o, stop, hooks(), api_, token_) {}

    int run() {
        restart_wakeups(token_);
        LogShipper::ship_leftovers(client_options(token_), o_.state_dir + "/spool");
        auto first = core_.start();
        if (!first) {
            log_line(core_.error());
            return 1;
        }
        AgentState s = *first;
        std::string error;
        while (s != AgentState::Exit) {
            if (stop_) {
                error = "Exiting because of interrupt";
                break;
            }
            Step step = core_.step(s);
            if (name_of(step.next) != std::string_view(name_of(s)))
                log_line(std::string(name_of(s)) + " -> " + name_of(step.next));
            s = wait(step);
            error = core_.error();
        }
        events_->stop();
        if (!error.empty()) log_line("exiting: " + error);
        return error.empty() ? 0 : 1;
    }

  private:
    client::ClientOptions client_options(const std::string& token) const {
        client::ClientOptions c = o_.client;
        c.token = token;
        c.retry_every = std::chrono::seconds(10);  // the agent never gives up on its server
        c.cancelled = [this] { return stop_.load(); };
        c.log = log_line;
        return c;
    }
    AgentHooks hooks() {
        AgentHooks h;
        h.wakeups_seen = [this] { return events_->seen(); };
        h.token_renewed = [this](const std::string& token) { restart_wakeups(token); };
        h.log = log_line;
        h.actions = runner_.get();
        return h;
    }
    void restart_wakeups(const std::string& token) {
        if (events_) events_->stop();
        events_ = std::make_unique<client::EventWakeups>(
            client_options(token), std::vector<std::string>{"machines.*." + o_.machine});
    }
    // The step's wait, in slices so a stop is noticed; Exit when stopped.
    AgentState wait(const Step& step) {
        auto end = Clock::now() + step.wait.duration;
        switch (step.wait.kind) {
            case StepWait::Kind::None:
                return step.next;
            case StepWait::Kind::Pause:
                while (Clock::now() < end && !stop_)
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                return stop_ ? AgentState::Exit : step.next;
            case StepWait::Kind::Wakeup:
                while (!events_->wait_beyond(step.wait.since, std::chrono::milliseconds(250))) {
                    if (stop_) return AgentState::Exit;
                    if (Clock::now() >= end) break;
                }
                return step.next;
        }
        return step.next;
    }

    const AgentOptions& o_;
    const std::atomic<bool>& stop_;
    std::string token_;
    client::ApiClient api_;
    std::unique_ptr<ActionRunner> runner_;
    std::unique_ptr<client::EventWakeups> events_;
    AgentCore core_;
};

}  // namespace

int run_machine_agent(const AgentOptions& options, const std::atomic<bool>& stop) {
    BlockingDriver driver(options, stop);
    return driver.run();
}

}  // namespace drover::agent
