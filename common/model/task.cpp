#include "common/model/task.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "common/model/checks.hpp"
#include "common/rules/names.hpp"

namespace drover::model {

namespace {

// spec 1.2: the values a template's Meta.OS comma list may hold.
bool known_os(std::string_view os) {
    static constexpr std::array<std::string_view, 9> kOs{
        "any", "darwin", "freebsd", "linux", "netbsd", "openbsd", "solaris", "windows", "esxi"};
    return std::find(kOs.begin(), kOs.end(), os) != kOs.end();
}

std::vector<std::string> split_comma_list(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find(',', start);
        if (end == std::string::npos) end = s.size();
        std::string item = s.substr(start, end - start);
        auto b = item.find_first_not_of(' ');
        auto e = item.find_last_not_of(' ');
        out.push_back(b == std::string::npos ? "" : item.substr(b, e - b + 1));
        start = end + 1;
    }
    return out;
}

Errors template_os_errors(const std::vector<TemplateInfo>& templates) {
    Errors errs;
    std::size_t with_os = 0;
    for (std::size_t i = 0; i < templates.size(); ++i) {
        auto it = templates[i].meta.find("OS");
        if (it == templates[i].meta.end()) continue;
        ++with_os;
        for (const auto& os : split_comma_list(it->second))
            if (!known_os(os))
                errs.push_back("Template[" + std::to_string(i) + "] has an unknown OS `" + os +
                               "` in Meta.OS");
    }
    if (with_os != 0 && with_os != templates.size())
        errs.push_back("Cannot mix templates with OS metadata and templates without OS metadata");
    return errs;
}

}  // namespace

Errors validate(const Task& t) {
    Errors errs;
    add_if(errs, rules::name_error("Invalid Name", t.name));
    append(errs, param_list_errors("Invalid Required Param", t.required_params));
    append(errs, param_list_errors("Invalid Optional Param", t.optional_params));
    for (const auto& p : t.prerequisites)
        add_if(errs, rules::name_error("Invalid Prerequisite", p));
    for (const auto& r : t.extra_roles)
        add_if(errs, rules::name_error("Invalid Role", r));
    std::set<std::string> names;
    for (std::size_t i = 0; i < t.templates.size(); ++i) {
        append(errs, validate_template_info(t.templates[i], i, /*path_required=*/false));
        if (!t.templates[i].name.empty() && !names.insert(t.templates[i].name).second)
            errs.push_back("Duplicate template name " + t.templates[i].name);
    }
    append(errs, template_os_errors(t.templates));
    return prefix_errors(t.name, std::move(errs));
}

}  // namespace drover::model
