#include "fleet_setup.hpp"

#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/client/api_client.hpp"

namespace drover::fleet {

using nlohmann::json;

bool parse_scenario(const std::string& name, Scenario& out) {
    for (Scenario s : {Scenario::Steady, Scenario::BootStorm, Scenario::LogHeavy, Scenario::Churn})
        if (name == name_of(s)) {
            out = s;
            return true;
        }
    return false;
}

const char* name_of(Scenario s) {
    switch (s) {
        case Scenario::Steady:
            return "steady";
        case Scenario::BootStorm:
            return "boot-storm";
        case Scenario::LogHeavy:
            return "log-heavy";
        case Scenario::Churn:
            return "churn";
    }
    return "?";
}

namespace {

client::ApiClient admin_client(const std::string& endpoint, const std::string& token) {
    client::ClientOptions c;
    c.endpoint = endpoint;
    c.token = token;
    return client::ApiClient(c);
}

// PUT when the object exists (a second run on the same server), POST otherwise.
std::string put_object(client::ApiClient& api, const std::string& collection, const json& obj) {
    std::string key = obj.value("Name", obj.value("ID", ""));
    auto r = api.call("POST", "/api/v3/" + collection, &obj);
    if (!r && r.error().status == 409)
        r = api.call("PUT", "/api/v3/" + collection + "/" + key, &obj);
    return r ? "" : collection + "/" + key + ": " + r.error().message;
}

// A task's one script: what the simulated action "runs" (its `exit N` is the job's exit code).
json task(const std::string& name, int exit_code) {
    return {{"Name", name},
            {"Meta", {{"feature-flags", "sane-exit-codes"}}},
            {"Templates", json::array({{{"Name", "run"},
                                        {"Contents",
                                         "#!/bin/sh\n# {{.Machine.Name}} in {{.Machine.Stage}}\n"
                                         "echo \"{{.Task.Name}} on {{.Machine.Uuid}}\"\nexit " +
                                             std::to_string(exit_code) + "\n"}}})}};
}

json stage(const std::string& name, const std::string& boot_env, const json& tasks) {
    return {{"Name", name}, {"BootEnv", boot_env}, {"Tasks", tasks}};
}

json boot_env(const std::string& name) {
    return {{"Name", name}, {"Kernel", "vmlinuz"}, {"Description", "drover-fleet"}};
}

}  // namespace

std::string write_content(const std::string& endpoint, const std::string& admin_token,
                          Scenario scenario, int tasks, ScenarioContent& out) {
    auto api = admin_client(endpoint, admin_token);
    std::vector<std::pair<std::string, json>> objects{{"bootenvs", boot_env("fleet-discovery")},
                                                      {"bootenvs", boot_env("fleet-os")}};
    if (scenario == Scenario::BootStorm) {
        // discover (a reboot task) -> install -> finish in another bootenv: two reboots.
        for (const char* t : {"fleet-inventory", "fleet-image", "fleet-done"})
            objects.push_back({"tasks", task(t, 0)});
        objects.push_back({"tasks", task("fleet-firmware-reboot", 64)});
        objects.push_back({"stages", stage("fleet-discover", "fleet-discovery",
                                           {"fleet-inventory", "fleet-firmware-reboot"})});
        objects.push_back({"stages", stage("fleet-install", "fleet-discovery", {"fleet-image"})});
        objects.push_back({"stages", stage("fleet-finish", "fleet-os", {"fleet-done"})});
        objects.push_back({"workflows",
                           {{"Name", "fleet-boot-storm"},
                            {"Stages", {"fleet-discover", "fleet-install", "fleet-finish"}}}});
        out = {"fleet-boot-storm", 4, false};
    } else {
        json names = json::array();
        for (int i = 0; i < tasks; ++i) {
            names.push_back("fleet-noop-" + std::to_string(i));
            objects.push_back({"tasks", task(names.back(), 0)});
        }
        objects.push_back({"stages", stage("fleet-steady", "fleet-os", names)});
        objects.push_back({"workflows", {{"Name", "fleet-steady"}, {"Stages", {"fleet-steady"}}}});
        out = {"fleet-steady", tasks, true};
    }
    for (const auto& [collection, obj] : objects)
        if (auto err = put_object(api, collection, obj); !err.empty()) return err;
    return "";
}

std::string create_machines(const std::string& endpoint, const std::string& admin_token,
                            const std::string& workflow, int first, int count, int threads,
                            std::vector<MachineSpec>& out) {
    std::vector<MachineSpec> made(static_cast<std::size_t>(count));
    std::mutex mutex;
    std::string error;
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            auto api = admin_client(endpoint, admin_token);
            for (int i; (i = next++) < count;) {
                MachineSpec& m = made[static_cast<std::size_t>(i)];
                m.name = "fleet-m" + std::to_string(first + i);
                json body{{"Name", m.name}, {"Workflow", workflow}};
                auto r = api.call("POST", "/api/v3/machines", &body);
                auto t = r ? api.call("GET", "/api/v3/machines/" + (*r)["Uuid"].get<std::string>() +
                                                 "/token?ttl=864000")
                           : r;
                if (!r || !t) {
                    std::lock_guard lock(mutex);
                    error = m.name + ": " + (!r ? r.error().message : t.error().message);
                    return;
                }
                m.uuid = (*r)["Uuid"];
                m.token = (*t)["Token"];
            }
        });
    for (auto& t : pool)
        t.join();
    if (!error.empty()) return error;
    out.insert(out.end(), made.begin(), made.end());
    return "";
}

}  // namespace drover::fleet
