#include "common/model/bootenv.hpp"

#include "common/model/checks.hpp"
#include "common/rules/names.hpp"

namespace drover::model {

bool net_boot(const BootEnv& b) {
    return b.only_unknown || !b.kernel.empty();
}

bool is_install_bootenv(std::string_view name) {
    constexpr std::string_view kSuffix = "-install";
    return name.size() >= kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix;
}

Errors validate(const BootEnv& b) {
    Errors errs;
    add_if(errs, rules::name_error("Invalid Name", b.name));
    append(errs, param_list_errors("Invalid Required Param", b.required_params));
    append(errs, param_list_errors("Invalid Optional Param", b.optional_params));
    for (std::size_t i = 0; i < b.templates.size(); ++i)
        append(errs, validate_template_info(b.templates[i], i, /*path_required=*/true));
    for (const auto& [key, _] : b.loaders)
        if (key != "386-pcbios" && key != "amd64-uefi" && key != "arm64-uefi")
            errs.push_back("Invalid Loaders key `" + key +
                           "`: must be 386-pcbios, amd64-uefi or arm64-uefi");
    for (const auto& [arch, _] : b.os.supported_architectures)
        if (auto e = rules::arch_error(arch)) errs.push_back("OS.SupportedArchitectures: " + *e);
    return prefix_errors(b.name, std::move(errs));
}

}  // namespace drover::model
