#include "fleet_scheduler.hpp"

#include <utility>

#include <nlohmann/json.hpp>

namespace drover::fleet {

using Clock = std::chrono::steady_clock;

struct FleetScheduler::Machine {
    MachineSpec spec;
    agent::AgentOptions options;
    std::unique_ptr<agent::AgentCore> core;
    std::optional<agent::AgentState> state;  // nullopt: the agent is (re)starting
    Park park = Park::Ready;
    std::uint64_t generation = 0;  // of the current park; a stale timer does nothing
    std::uint64_t since = 0;
    std::atomic<std::uint64_t> seen{0};
    int settled = 0;
    bool reset_due = false;
    std::deque<std::string> last_lines;  // the agent's last log lines (diagnostics)
};

FleetScheduler::FleetScheduler(SchedulerOptions options, CallStats& stats,
                               agent::ActionRunner& actions)
    : o_(std::move(options)), stats_(stats), actions_(actions) {
    hub_ = std::make_unique<StreamHub>(
        HubOptions{o_.host, o_.port},
        [this](std::size_t i, std::optional<std::chrono::system_clock::time_point> t) {
            on_frame(i, t);
        });
}

FleetScheduler::~FleetScheduler() {
    stop();
    hub_.reset();
}

std::size_t FleetScheduler::add(const MachineSpec& spec) {
    auto m = std::make_unique<Machine>();
    m->spec = spec;
    m->options.client.endpoint = "http://" + o_.host + ":" + std::to_string(o_.port);
    m->options.client.token = spec.token;
    m->options.machine = spec.uuid;
    m->options.state_dir = o_.state_root + "/" + spec.name;
    m->options.skip_power = true;  // a reboot is the scheduler's to act out
    m->options.run_retry = std::chrono::seconds(1);
    m->options.init_retry = std::chrono::seconds(1);
    std::lock_guard lock(mutex_);
    machines_.push_back(std::move(m));
    std::size_t index = hub_->add(spec.uuid, spec.token);
    return index;
}

std::size_t FleetScheduler::machines() const {
    std::lock_guard lock(mutex_);
    return machines_.size();
}

std::unique_ptr<agent::AgentCore> FleetScheduler::new_core(Machine& m, client::ApiClient& api) {
    agent::AgentHooks hooks;
    hooks.wakeups_seen = [&m] { return m.seen.load(); };
    hooks.log = [this, &m](const std::string& line) {
        std::lock_guard lock(mutex_);
        if (line.rfind("error: ", 0) == 0) ++counters_.agent_errors;
        m.last_lines.push_back(line);
        if (m.last_lines.size() > 6) m.last_lines.pop_front();
    };
    hooks.actions = &actions_;
    hooks.ship_in_background = false;
    hooks.job_settled = [this, &m](const std::string& job, const std::string& task,
                                   const rules::JobResult& r) { job_settled(m, job, task, r); };
    return std::make_unique<agent::AgentCore>(m.options, stop_, std::move(hooks), api,
                                              m.spec.token);
}

void FleetScheduler::job_settled(Machine& m, const std::string& job, const std::string& task,
                                 const rules::JobResult& r) {
    if (o_.on_settled) o_.on_settled(m.spec, job, task);
    std::lock_guard lock(mutex_);
    ++counters_.cycles;
    if (r.state == model::JobState::Failed) ++counters_.failed_jobs;
    if (++m.settled % o_.jobs_per_round != 0) return;
    if (o_.repeat)
        m.reset_due = true;
    else
        ++counters_.machines_done;
}

void FleetScheduler::start() {
    {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < machines_.size(); ++i) {
            machines_[i]->park = Park::Ready;
            ready_.push_back(i);
        }
    }
    for (int w = 0; w < o_.workers; ++w)
        threads_.emplace_back([this] { work(); });
    threads_.emplace_back([this] { tick_timers(); });
}

void FleetScheduler::stop() {
    stop_ = true;
    ready_changed_.notify_all();
    timers_changed_.notify_all();
    for (auto& t : threads_)
        t.join();
    threads_.clear();
}

void FleetScheduler::on_frame(std::size_t index,
                              std::optional<std::chrono::system_clock::time_point> commit) {
    std::lock_guard lock(mutex_);
    if (index >= machines_.size()) return;
    if (commit) {
        auto late = std::chrono::system_clock::now() - *commit;
        event_ms_.push_back(std::chrono::duration<double, std::milli>(late).count());
    }
    Machine& m = *machines_[index];
    ++m.seen;
    if (m.park == Park::Wakeup && m.seen > m.since) make_ready(m, index);
}

void FleetScheduler::make_ready(Machine& m, std::size_t index) {
    m.park = Park::Ready;
    ++m.generation;
    ready_.push_back(index);
    ready_changed_.notify_one();
}

void FleetScheduler::work() {
    client::ClientOptions c;
    c.endpoint = "http://" + o_.host + ":" + std::to_string(o_.port);
    c.retry_every = std::chrono::seconds(1);
    c.cancelled = [this] { return stop_.load(); };
    c.observe = [this](const client::Request& r, int status, std::chrono::nanoseconds took) {
        stats_.record(call_kind(r.method, r.path),
                      std::chrono::duration<double, std::milli>(took).count(), status);
    };
    client::ApiClient api(c);
    for (;;) {
        std::size_t index;
        {
            std::unique_lock lock(mutex_);
            ready_changed_.wait(lock, [&] { return stop_ || !ready_.empty(); });
            if (stop_) return;
            index = ready_.front();
            ready_.pop_front();
            machines_[index]->park = Park::Running;
        }
        run_machine(index, api);
    }
}

// Steps one machine until it waits; a settled round resets its workflow (steady scenarios).
void FleetScheduler::run_machine(std::size_t index, client::ApiClient& api) {
    Machine& m = *machines_[index];
    api.set_token(m.spec.token);
    if (!m.core) m.core = new_core(m, api);
    m.core->set_api(api);
    for (;;) {
        if (stop_) return;
        if (!m.state) {
            m.state = m.core->start();
            if (!m.state) {
                stats_.error("agent start: " + m.core->error());
                m.core.reset();
                std::lock_guard lock(mutex_);
                park_timer(m, index, std::chrono::seconds(1));
                return;
            }
        }
        agent::Step step = m.core->step(*m.state);
        if (m.reset_due) {
            m.reset_due = false;
            nlohmann::json reset = nlohmann::json::array(
                {{{"op", "replace"}, {"path", "/CurrentTask"}, {"value", -1}}});
            api.set_token(o_.admin_token);
            if (!api.call("PATCH", "/api/v3/machines/" + m.spec.uuid, &reset))
                stats_.error("workflow reset");
            api.set_token(m.spec.token);
        }
        if (step.next == agent::AgentState::Exit) {
            std::lock_guard lock(mutex_);
            if (m.core->skipped_power_action() == "reboot") {
                ++counters_.reboots;
                m.state.reset();
                m.core.reset();
                park_timer(m, index, o_.reboot_time);
            } else {
                if (!m.core->error().empty()) ++counters_.agent_errors;
                m.park = Park::Done;
            }
            return;
        }
        m.state = step.next;
        if (step.wait.kind == agent::StepWait::Kind::None) continue;
        std::lock_guard lock(mutex_);
        if (step.wait.kind == agent::StepWait::Kind::Pause) {
            park_timer(m, index, step.wait.duration);
        } else if (m.seen > step.wait.since) {
            make_ready(m, index);  // woken while the step ran
        } else {
            m.since = step.wait.since;
            park_timer(m, index, step.wait.duration);
            m.park = Park::Wakeup;
        }
        return;
    }
}

void FleetScheduler::park_timer(Machine& m, std::size_t index, std::chrono::milliseconds d) {
    m.park = Park::Timer;
    ++m.generation;
    timers_.push({Clock::now() + d, index, m.generation, false});
    timers_changed_.notify_one();
}

void FleetScheduler::tick_timers() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        if (timers_.empty()) {
            timers_changed_.wait(lock);
            continue;
        }
        auto next = timers_.top();
        if (Clock::now() < next.at) {
            timers_changed_.wait_until(lock, next.at);
            continue;
        }
        timers_.pop();
        if (next.reconnect_stream) {
            lock.unlock();
            hub_->reconnect(next.index);
            lock.lock();
            continue;
        }
        Machine& m = *machines_[next.index];
        bool parked = m.park == Park::Timer || m.park == Park::Wakeup;
        if (parked && m.generation == next.generation) make_ready(m, next.index);
    }
}

void FleetScheduler::churn_one(std::mt19937_64& random) {
    std::size_t n = machines();
    if (n == 0) return;
    std::size_t stream = random() % n, agent = random() % n;
    hub_->disconnect(stream);
    std::lock_guard lock(mutex_);
    auto back = std::chrono::milliseconds(100 + random() % 1900);
    timers_.push({Clock::now() + back, stream, 0, true});
    timers_changed_.notify_one();
    Machine& m = *machines_[agent];
    // Not in the middle of a step: an agent "crashes" between its requests, as a killed one
    // would, possibly with a job it started (spec 5.5: the next AGENT_INIT fails it).
    if (m.park == Park::Running || m.park == Park::Done) return;
    ++counters_.agent_restarts;
    m.state.reset();
    m.core.reset();
    if (m.park != Park::Ready) make_ready(m, agent);
}

std::vector<std::string> FleetScheduler::unfinished() const {
    static const char* parks[] = {"running", "ready", "a wake-up", "a timer", "nothing (done)"};
    std::vector<std::string> out;
    std::lock_guard lock(mutex_);
    for (const auto& m : machines_) {
        if (m->park == Park::Done || (m->settled >= o_.jobs_per_round && !o_.repeat)) continue;
        out.push_back(m->spec.name + ": " + (m->state ? agent::name_of(*m->state) : "starting") +
                      " parked on " + parks[static_cast<int>(m->park)] + ", " +
                      std::to_string(m->settled) + " jobs settled, " +
                      std::to_string(m->seen.load()) + " stream frames");
        for (const auto& line : m->last_lines)
            out.back() += "\n    " + line;
    }
    return out;
}

FleetCounters FleetScheduler::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

std::vector<double> FleetScheduler::take_event_delivery_ms() {
    std::lock_guard lock(mutex_);
    return std::exchange(event_ms_, {});
}

std::vector<double> FleetScheduler::event_delivery_ms() const {
    std::lock_guard lock(mutex_);
    return event_ms_;
}

}  // namespace drover::fleet
