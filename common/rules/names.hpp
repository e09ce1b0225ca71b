// Name rules of spec 1.0 (ValidName, ValidParamName, ValidMachineName, ValidUserName) and the
// Arch normalisation of spec 1.1. Pure predicates plus the DRP-worded error messages.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace drover::rules {

// spec 1.0: ^\pL+([- _.]+|\pN+|\pL+)+$ (Task, Stage, BootEnv, Workflow, Profile, Context names).
bool valid_name(std::string_view s);
// spec 1.0: ValidName plus '/' (Param names).
bool valid_param_name(std::string_view s);
// spec 1.0: ^(\pL|\pN)+([- _.]+|\pN+|\pL+)+$ (Machine.Name, Template.ID).
bool valid_machine_name(std::string_view s);
// spec 1.0: ValidName plus '@' (users).
bool valid_user_name(std::string_view s);

// "<what> `<s>`", the message DRP uses for a name that breaks a rule, or nullopt when valid.
std::optional<std::string> name_error(std::string_view what, std::string_view s);
std::optional<std::string> param_name_error(std::string_view what, std::string_view s);
std::optional<std::string> machine_name_error(std::string_view what, std::string_view s);

// spec 1.1: the normalised architecture for an alias ("x86_64" -> "amd64"), nullopt if unknown.
std::optional<std::string> normalize_arch(std::string_view arch);
// spec 1.1: nullopt when `arch` is already normalised, else the message rejecting it.
std::optional<std::string> arch_error(std::string_view arch);

}  // namespace drover::rules
