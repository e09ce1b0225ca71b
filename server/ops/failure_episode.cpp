#include "server/ops/failure_episode.hpp"

#include "server/ops/log.hpp"

#include <utility>

namespace drover::ops {

FailureEpisode::FailureEpisode(std::string subject, std::string began, std::string ended)
    : subject_(std::move(subject)), began_(std::move(began)), ended_(std::move(ended)) {}

void FailureEpisode::failed(std::string_view error) {
    std::lock_guard lock(mu_);
    if (failures_++ > 0) return;
    open_.store(true);
    Log(Level::Warn, began_).field("subject", subject_).field("error", error);
}

void FailureEpisode::succeeded() {
    if (!open_.load()) return;
    std::lock_guard lock(mu_);
    if (failures_ == 0) return;  // another thread ended it first
    Log(Level::Info, ended_).field("subject", subject_).field("failures", failures_);
    failures_ = 0;
    open_.store(false);
}

}  // namespace drover::ops
