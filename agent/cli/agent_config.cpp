#include "agent/cli/agent_config.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>

#include "agent/cli/cli_session.hpp"
#include "agent/client/private_file.hpp"

namespace drover::cli {

namespace {

std::string trim(const std::string& s) {
    auto begin = s.find_first_not_of(" \t\r");
    if (begin == std::string::npos) return "";
    return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

bool is_key(const std::string& key) {
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

// The global flags a file may set. The TLS ones are not CLI11 env options (Session reads their
// variables itself), so their variables are checked here.
struct GlobalKey {
    const char* key;
    const char* env;
};
constexpr GlobalKey kGlobalKeys[] = {{"endpoint", nullptr},
                                     {"token", nullptr},
                                     {"ca-cert", "RS_CA_CERT"},
                                     {"server-fingerprint", "RS_SERVER_FINGERPRINT"}};

bool given(const CLI::App& app, const std::string& flag) {
    const CLI::Option* o = app.get_option_no_throw(flag);
    return o && o->count() > 0;
}

bool env_set(const char* name) {
    const char* v = name ? std::getenv(name) : nullptr;
    return v && *v;
}

bool credentials_given(const CLI::App& root) {
    for (const char* flag : {"--token", "--key", "--username", "--password"})
        if (given(root, flag)) return true;
    return false;
}

// The option `key` stands for, with whether the command line or environment already set it;
// null for a key no option has.
struct Target {
    CLI::Option* option = nullptr;
    bool already_set = false;
};

Target target_of(CLI::App& agent, CLI::App& root, const std::string& key) {
    for (const auto& g : kGlobalKeys) {
        if (key != g.key) continue;
        CLI::Option* o = root.get_option_no_throw("--" + key);
        bool set = o->count() > 0 || env_set(g.env) || (key == "token" && credentials_given(root));
        return {o, set};
    }
    if (key == "config") return {};
    CLI::Option* o = agent.get_option_no_throw("--" + key);
    if (!o || o == agent.get_help_ptr()) return {};
    return {o, o->count() > 0};
}

}  // namespace

ConfigEntries parse_agent_config(const std::string& text, const std::string& source) {
    ConfigEntries entries;
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t end = std::min(text.find('\n', pos), text.size());
        std::string line = trim(text.substr(pos, end - pos));
        pos = end + 1;
        ++line_no;
        if (line.empty() || line[0] == '#') continue;
        std::string where = source + ":" + std::to_string(line_no);
        auto eq = line.find('=');
        if (eq == std::string::npos) throw Failure(where + ": expected key = value");
        std::string key = trim(line.substr(0, eq));
        std::string value = trim(line.substr(eq + 1));
        if (!is_key(key)) throw Failure(where + ": '" + key + "' is not a setting name");
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        if (std::any_of(entries.begin(), entries.end(), [&](auto& e) { return e.first == key; }))
            throw Failure(where + ": " + key + " is set twice");
        entries.emplace_back(key, value);
    }
    return entries;
}

std::string format_agent_config(const ConfigEntries& entries) {
    std::string out =
        "# drover agent settings (drover agent --config); keys are the flags' long names.\n";
    for (const auto& [key, value] : entries) {
        if (value.find('\n') != std::string::npos)
            throw Failure("a config value cannot span lines: " + key);
        out += key + " = " + value + "\n";
    }
    return out;
}

std::string config_value(const ConfigEntries& entries, const std::string& key) {
    for (const auto& [k, v] : entries)
        if (k == key) return v;
    return "";
}

void apply_agent_config(const ConfigEntries& entries, CLI::App& agent, const std::string& source) {
    CLI::App& root = *agent.get_parent();
    for (const auto& [key, value] : entries) {
        Target t = target_of(agent, root, key);
        if (!t.option) throw Failure(source + ": unknown setting '" + key + "'");
        if (t.already_set) continue;
        t.option->add_result(value);
        try {
            t.option->run_callback();
        } catch (const CLI::Error& e) {
            throw Failure(source + ": " + key + ": " + e.what());
        }
    }
}

ConfigEntries read_agent_config(const std::string& path) {
    auto text = client::read_private_file(path);
    if (!text) throw Failure(text.error());
    return parse_agent_config(*text, path);
}

}  // namespace drover::cli
