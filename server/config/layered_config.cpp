#include "server/config/layered_config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>

namespace drover::server::config {

namespace {

bool environment_sets(const CLI::Option& option) {
    const std::string& name = option.get_envname();
    if (name.empty()) return false;
    const char* value = std::getenv(name.c_str());
    return value && *value;  // CLI11 ignores empty variables too
}

// CLI11's TOML/INI reader, checked against the App: every key must be the long name of a
// configurable option, there are no sections, and a key whose environment variable is set is
// dropped so that the environment (applied after the file) decides.
class LayeredConfigReader final : public CLI::ConfigBase {
  public:
    explicit LayeredConfigReader(const CLI::App& app) : app_(app) {}

    std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
        std::vector<CLI::ConfigItem> kept;
        for (CLI::ConfigItem& item : CLI::ConfigBase::from_config(input)) {
            if (!item.parents.empty())
                throw CLI::ConfigError("sections are not used, found [" + item.parents.front() +
                                       "]");
            const CLI::Option* option = app_.get_option_no_throw("--" + item.name);
            if (!option || option->get_single_name() != item.name)
                throw CLI::ConfigError("unknown key \"" + item.name + "\"");
            if (!option->get_configurable())
                throw CLI::ConfigError("\"" + item.name + "\" cannot be set in a config file");
            if (!environment_sets(*option)) kept.push_back(std::move(item));
        }
        return kept;
    }

  private:
    const CLI::App& app_;
};

void add_environment_names(CLI::App& app, const std::string& prefix) {
    for (CLI::Option* option : app.get_options({})) {
        if (!option->get_configurable() || !option->get_envname().empty() ||
            option->get_lnames().empty())
            continue;
        option->envname(prefix + "_" + upper_snake(option->get_single_name()));
    }
}

// The file named by --config, or the default one (read only when present).
std::string named_file(const CLI::Option& config) {
    return config.count() > 0 ? config.results().front() : config.get_default_str();
}

std::vector<std::string> effective_values(const CLI::Option& option) {
    if (option.count() > 0 && option.get_expected_min() == 0)  // a flag: "1", "yes", "on"...
        return {option.as<bool>() ? "true" : "false"};
    if (option.count() > 0) return option.reduced_results();
    if (!option.get_default_str().empty()) return {option.get_default_str()};
    if (option.get_expected_min() == 0) return {"false"};  // a flag not given
    return {};
}

ConfigOutcome failure(const CLI::App& app, std::string message) {
    ConfigOutcome outcome;
    outcome.exit_code = 2;
    outcome.err = app.get_name() + ": " + message + "\n";
    return outcome;
}

}  // namespace

std::string upper_snake(const std::string& long_name) {
    std::string out;
    for (char c : long_name)
        out += (c == '-' || c == '.') ? '_' : static_cast<char>(std::toupper(c));
    return out;
}

bool is_secret_option(const std::string& long_name) {
    std::string name = long_name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* word : {"password", "secret", "passphrase", "credential"})
        if (name.find(word) != std::string::npos) return true;
    return name.size() >= 5 && name.compare(name.size() - 5, 5, "token") == 0;
}

std::string effective_config(const CLI::App& app) {
    std::string out;
    for (const CLI::Option* option : app.get_options({})) {
        if (!option->get_configurable() || option->get_lnames().empty()) continue;
        std::string name = option->get_single_name();
        std::vector<std::string> values = effective_values(*option);
        bool set = std::any_of(values.begin(), values.end(),
                               [](const std::string& v) { return !v.empty(); });
        if (set && is_secret_option(name)) {
            out += "# " + name + " = (set, not shown)\n";
            continue;
        }
        std::string text = values.empty() ? "\"\"" : CLI::detail::ini_join(values);
        out += name + " = " + text + "\n";
    }
    return out;
}

ConfigOutcome parse_layered(CLI::App& app, const std::vector<std::string>& args,
                            const LayeredConfigOptions& options) {
    const std::string config_variable = options.env_prefix + "_CONFIG";
    const char* from_environment = std::getenv(config_variable.c_str());
    bool environment_names_file = from_environment && *from_environment;
    // A file named by $<PREFIX>_CONFIG must exist, like one named by --config; the default one
    // is optional.
    CLI::Option* config =
        app.set_config("--config", environment_names_file ? from_environment : options.default_file,
                       "Config file, key = value with the long option names as keys ($" +
                           config_variable + "; default " + options.default_file + " when present)",
                       environment_names_file);
    bool print = false;
    app.add_flag("--print-config", print,
                 "Print the effective configuration in config file format (secrets masked) and "
                 "exit")
        ->configurable(false);
    add_environment_names(app, options.env_prefix);
    app.config_formatter(std::make_shared<LayeredConfigReader>(app));
    app.allow_config_extras(CLI::config_extras_mode::error);

    try {
        app.parse(std::vector<std::string>(args.rbegin(), args.rend()));
    } catch (const CLI::ConfigError& e) {
        return failure(app, "config file " + named_file(*config) + ": " + e.what());
    } catch (const CLI::FileError&) {
        return failure(app, "cannot read config file " + named_file(*config));
    } catch (const CLI::ParseError& e) {
        std::ostringstream out, err;
        ConfigOutcome outcome;
        outcome.exit_code = app.exit(e, out, err) == 0 ? 0 : 2;
        outcome.out = out.str();
        outcome.err = err.str();
        return outcome;
    }
    ConfigOutcome outcome;
    if (config->count() > 0) outcome.file_read = config->results().front();
    std::error_code ec;
    if (outcome.file_read.empty() && std::filesystem::exists(options.default_file, ec))
        return failure(app, "cannot read config file " + options.default_file);
    if (print) {
        outcome.out = "# " + app.get_name() + " effective configuration: flags, then $" +
                      options.env_prefix + "_* variables, then " +
                      (outcome.file_read.empty() ? "no config file" : outcome.file_read) +
                      ", then defaults\n" + effective_config(app);
        return outcome;
    }
    outcome.run = true;
    return outcome;
}

}  // namespace drover::server::config
