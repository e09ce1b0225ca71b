// spec 1.1: the Machine, keyed by Uuid. Field defaults match a freshly decoded Go struct; the
// server's create-time defaults (Stage "none", Runnable, Pool, ...) are fill_create_defaults().
#pragma once
#include "common/model/envelope.hpp"

namespace drover::model {

// spec 1.1 TaskErrorStacks entry: a task list saved while error handlers run.
struct TaskErrorStack : Extensible {
    static constexpr const char* kTypeName = "TaskErrorStack";
    int current_task = 0;
    std::vector<std::string> task_list;

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        v("CurrentTask", s.current_task);
        v("TaskList", s.task_list);
    }
};

struct Machine : Envelope {
    static constexpr const char* kTypeName = "Machine";
    static constexpr const char* kPrefix = "machines";
    static constexpr const char* kKeyName = "Uuid";
    std::string uuid;
    std::string name;
    std::string description;
    std::string address;
    std::vector<std::string> hardware_addrs;
    std::string arch;
    std::string os;
    std::string boot_env;
    std::string stage;
    std::string workflow;
    std::vector<std::string> profiles;
    Params params;
    std::vector<std::string> tasks;
    int current_task = 0;
    std::string current_job;
    bool runnable = false;
    std::string context;
    bool locked = false;
    std::string secret;
    int retry_task_attempt = 0;
    std::vector<TaskErrorStack> task_error_stacks;
    bool workflow_complete = false;
    std::string pool;
    std::string pool_status;
    bool pool_allocated = false;
    Json fingerprint = Json::object();
    bool partial = false;

    const std::string& key() const { return uuid; }

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        envelope_fields(v, s);
        v("Uuid", s.uuid);
        v("Name", s.name);
        v("Description", s.description);
        v("Address", s.address);
        v("HardwareAddrs", s.hardware_addrs);
        v("Arch", s.arch);
        v("OS", s.os);
        v("BootEnv", s.boot_env);
        v("Stage", s.stage);
        v("Workflow", s.workflow);
        v("Profiles", s.profiles);
        v("Params", s.params);
        v("Tasks", s.tasks);
        v("CurrentTask", s.current_task);
        v("CurrentJob", s.current_job);
        v("Runnable", s.runnable);
        v("Context", s.context);
        v("Locked", s.locked);
        v("Secret", s.secret);
        v("RetryTaskAttempt", s.retry_task_attempt);
        v("TaskErrorStacks", s.task_error_stacks);
        v("WorkflowComplete", s.workflow_complete);
        v("Pool", s.pool);
        v("PoolStatus", s.pool_status);
        v("PoolAllocated", s.pool_allocated);
        v("Fingerprint", s.fingerprint);
        v("Partial", s.partial);
    }
};

// spec 1.1 "observed create result": Arch amd64, Stage none, Runnable, Pool default/Free,
// CurrentTask clamped and WorkflowComplete derived. BootEnv falls back to `default_boot_env`.
void fill_create_defaults(Machine& m, const std::string& default_boot_env);

// spec 1.1: WorkflowComplete == (CurrentTask >= len(Tasks)).
bool workflow_complete(const Machine& m);

// spec 1.0/1.1: syntactic errors, each prefixed "<Uuid>: ". References are the server's check.
Errors validate(const Machine& m);

}  // namespace drover::model
