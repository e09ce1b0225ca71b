#include "common/model/machine.hpp"

#include "common/model/checks.hpp"
#include "common/rules/names.hpp"
#include "common/rules/net_addr.hpp"
#include "common/rules/task_entry.hpp"

namespace drover::model {

void fill_create_defaults(Machine& m, const std::string& default_boot_env) {
    if (m.arch.empty()) m.arch = "amd64";
    if (m.stage.empty()) m.stage = "none";
    if (m.boot_env.empty()) m.boot_env = default_boot_env;
    if (m.pool.empty()) m.pool = "default";
    if (m.pool_status.empty()) m.pool_status = "Free";
    if (m.tasks.empty()) m.current_task = 0;
    m.runnable = true;
    m.workflow_complete = workflow_complete(m);
}

bool workflow_complete(const Machine& m) {
    return m.current_task >= static_cast<int>(m.tasks.size());
}

Errors validate(const Machine& m) {
    Errors errs;
    add_if(errs, rules::arch_error(m.arch));
    add_if(errs, rules::machine_name_error("Invalid Name", m.name));
    add_if(errs, rules::name_error("Invalid Stage", m.stage));
    add_if(errs, rules::name_error("Invalid BootEnv", m.boot_env));
    if (!m.workflow.empty()) add_if(errs, rules::name_error("Invalid Workflow", m.workflow));
    if (!m.address.empty() && !rules::valid_ipv4(m.address))
        errs.push_back("Invalid Address `" + m.address + "`");
    append(errs, profile_list_errors(m.profiles));
    append(errs, rules::task_list_syntax_errors(m.tasks, rules::TaskListOwner::Machine));
    for (const auto& mac : m.hardware_addrs)
        if (!rules::valid_mac(mac)) errs.push_back("Invalid Hardware Address `" + mac + "`");
    append(errs, param_key_errors(m.params));
    if (m.current_task < -1)
        errs.push_back("Invalid CurrentTask " + std::to_string(m.current_task));
    // Kept as raw JSON for its open set of members, so its type is checked here (proto-schemas).
    if (!m.fingerprint.is_object()) errs.push_back("Fingerprint must be an object");
    return prefix_errors(m.uuid, std::move(errs));
}

}  // namespace drover::model
