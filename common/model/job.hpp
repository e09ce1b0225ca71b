// spec 1.4/1.5: a Job (one attempt at one task-list entry for one machine) and the JobActions
// its task renders into. States and exit states are strings on the wire; the enums here are the
// typed view the rules use.
#pragma once
#include <optional>

#include "common/model/envelope.hpp"

namespace drover::model {

// The "no previous job" UUID (spec 1.4).
inline constexpr const char* kZeroUuid = "00000000-0000-0000-0000-000000000000";

enum class JobState { Created, Running, Failed, Finished, Incomplete };
enum class ExitState { None, Complete, Failed, Reboot, Poweroff, Stop };

std::string to_string(JobState s);
std::string to_string(ExitState s);
std::optional<JobState> parse_job_state(std::string_view s);
std::optional<ExitState> parse_exit_state(std::string_view s);
// finished or failed: the states after which EndTime is set and a job may be deleted.
bool is_final(JobState s);

struct Job : Envelope {
    static constexpr const char* kTypeName = "Job";
    static constexpr const char* kPrefix = "jobs";
    static constexpr const char* kKeyName = "Uuid";
    std::string uuid;
    std::string previous;
    std::string machine;
    std::string task;
    std::string stage;
    std::string workflow;
    std::string boot_env;
    std::string context;
    std::string state = "created";
    std::string exit_state;
    std::string start_time;
    std::string end_time;
    bool archived = false;
    bool current = false;
    int current_index = 0;
    int next_index = 0;
    std::vector<Claim> extra_claims;
    std::string token;

    const std::string& key() const { return uuid; }

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        envelope_fields(v, s);
        v("Uuid", s.uuid);
        v("Previous", s.previous);
        v("Machine", s.machine);
        v("Task", s.task);
        v("Stage", s.stage);
        v("Workflow", s.workflow);
        v("BootEnv", s.boot_env);
        v("Context", s.context);
        v("State", s.state);
        v("ExitState", s.exit_state);
        v("StartTime", s.start_time);
        v("EndTime", s.end_time);
        v("Archived", s.archived);
        v("Current", s.current);
        v("CurrentIndex", s.current_index);
        v("NextIndex", s.next_index);
        v("ExtraClaims", s.extra_claims);
        v("Token", s.token);
    }
};

// spec 1.4: Machine required, Task a ValidName unless it is a special entry (contains ':'),
// Stage a ValidName when set, State and ExitState from their enums. Prefixed "<Uuid>: ".
Errors validate(const Job& j);

struct JobAction : Extensible {
    static constexpr const char* kTypeName = "JobAction";
    std::string name;
    std::string path;
    std::string content;
    Meta meta;

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        v("Name", s.name);
        v("Path", s.path);
        v("Content", s.content);
        v("Meta", s.meta);
    }
};

// spec 1.5 OS filter: an action without Meta.OS, or any action when `target_os` is empty, is
// valid; otherwise its comma list must hold "any" or the target OS.
bool action_valid_for_os(const JobAction& a, std::string_view target_os);
// spec 1.5 client shortcut: when the first action has no OS key the list is returned unfiltered.
std::vector<JobAction> filter_actions_for_os(const std::vector<JobAction>& actions,
                                             std::string_view target_os);

}  // namespace drover::model
