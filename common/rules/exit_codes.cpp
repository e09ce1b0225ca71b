#include "common/rules/exit_codes.hpp"

#include "common/rules/feature_flags.hpp"

namespace drover::rules {

ExitCodeMode exit_code_mode(std::string_view task_feature_flags, bool marker_file_exists) {
    if (marker_file_exists || has_feature(task_feature_flags, "sane-exit-codes"))
        return ExitCodeMode::Sane;
    return ExitCodeMode::Legacy;
}

namespace {

ExitFlags classify_sane(int code) {
    switch (code) {
        case 0:
            return {};
        case 16:
            return {.stop = true};
        case 32:
            return {.poweroff = true};
        case 64:
            return {.reboot = true};
        case 128:
            return {.incomplete = true};
        case 144:
            return {.stop = true, .incomplete = true};
        case 160:
            return {.poweroff = true, .incomplete = true};
        case 192:
            return {.reboot = true, .incomplete = true};
        default:
            return {.failed = true};
    }
}

ExitFlags classify_legacy(int code) {
    switch (code) {
        case 0:
            return {};
        case 1:
            return {.reboot = true};
        case 2:
            return {.incomplete = true};
        case 3:
            return {.reboot = true, .incomplete = true};
        default:
            return {.failed = true};
    }
}

}  // namespace

ExitFlags classify_exit_code(int code, ExitCodeMode mode) {
    if (code == kKilledBySignal) return {.failed = true};
    return mode == ExitCodeMode::Sane ? classify_sane(code) : classify_legacy(code);
}

ExitFlags file_action_flags(bool written) {
    return {.failed = !written};
}

bool JobResultFolder::record(const ExitFlags& flags, bool final_action) {
    // Step 1: flags are per action; only the last recorded action decides.
    flags_ = flags;
    any_recorded_ = true;
    if (flags_.failed) return false;  // step 2
    if (flags_.reboot || flags_.poweroff || flags_.stop) {
        flags_.incomplete = flags_.incomplete || !final_action;  // step 3
        return false;
    }
    if (flags_.incomplete && !final_action) {  // step 4: "skip the rest of this task"
        flags_.incomplete = false;
        return false;
    }
    return !final_action;  // step 5
}

JobResult JobResultFolder::result() const {
    JobResult r;
    if (flags_.failed) {
        r.state = model::JobState::Failed;
        r.exit_state = model::ExitState::Failed;
    } else {
        r.state = flags_.incomplete ? model::JobState::Incomplete : model::JobState::Finished;
        r.exit_state = flags_.reboot     ? model::ExitState::Reboot
                       : flags_.poweroff ? model::ExitState::Poweroff
                       : flags_.stop     ? model::ExitState::Stop
                                         : model::ExitState::Complete;
        r.reboot = flags_.reboot;
        r.poweroff = flags_.poweroff;
        r.stop = flags_.stop;
    }
    r.make_not_runnable = any_recorded_ && (flags_.failed || flags_.reboot || flags_.poweroff ||
                                            flags_.stop || flags_.incomplete);
    return r;
}

JobResult fold_actions(const std::vector<ExitFlags>& actions) {
    JobResultFolder folder;
    for (std::size_t i = 0; i < actions.size(); ++i)
        if (!folder.record(actions[i], i + 1 == actions.size())) break;
    return folder.result();
}

JobResult interrupted_result() {
    JobResult r;
    r.state = model::JobState::Incomplete;
    r.exit_state = model::ExitState::Complete;
    r.make_not_runnable = true;
    return r;
}

}  // namespace drover::rules
