// spec 1.7: a BootEnv: what a machine boots into (kernel, initrds, boot params, templates for the
// file servers). OS installers end in "-install"; the agent keys reboot-vs-exit on that suffix.
#pragma once
#include "common/model/envelope.hpp"
#include "common/model/template.hpp"

namespace drover::model {

struct ArchInfo : Extensible {
    static constexpr const char* kTypeName = "ArchInfo";
    std::string iso_file;
    std::string sha256;
    std::string iso_url;
    std::string kernel;
    std::vector<std::string> initrds;
    std::string boot_params;
    std::string loader;

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        v("IsoFile", s.iso_file);
        v("Sha256", s.sha256);
        v("IsoUrl", s.iso_url);
        v("Kernel", s.kernel);
        v("Initrds", s.initrds);
        v("BootParams", s.boot_params);
        v("Loader", s.loader);
    }
};

struct OsInfo : Extensible {
    static constexpr const char* kTypeName = "OsInfo";
    std::string name;
    std::string family;
    std::string codename;
    std::string version;
    std::string iso_file;
    std::string iso_sha256;
    std::string iso_url;
    std::map<std::string, ArchInfo> supported_architectures;

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        v("Name", s.name);
        v("Family", s.family);
        v("Codename", s.codename);
        v("Version", s.version);
        v("IsoFile", s.iso_file);
        v("IsoSha256", s.iso_sha256);
        v("IsoUrl", s.iso_url);
        v("SupportedArchitectures", s.supported_architectures);
    }
};

struct BootEnv : Envelope {
    static constexpr const char* kTypeName = "BootEnv";
    static constexpr const char* kPrefix = "bootenvs";
    static constexpr const char* kKeyName = "Name";
    std::string name;
    std::string description;
    std::string documentation;
    OsInfo os;
    std::vector<TemplateInfo> templates;
    std::string kernel;
    std::vector<std::string> initrds;
    std::string boot_params;
    std::vector<std::string> required_params;
    std::vector<std::string> optional_params;
    bool only_unknown = false;
    std::map<std::string, std::string> loaders;

    const std::string& key() const { return name; }

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        envelope_fields(v, s);
        v("Name", s.name);
        v("Description", s.description);
        v("Documentation", s.documentation);
        v("OS", s.os);
        v("Templates", s.templates);
        v("Kernel", s.kernel);
        v("Initrds", s.initrds);
        v("BootParams", s.boot_params);
        v("RequiredParams", s.required_params);
        v("OptionalParams", s.optional_params);
        v("OnlyUnknown", s.only_unknown);
        v("Loaders", s.loaders);
    }
};

// spec 1.7: NetBoot() = OnlyUnknown || Kernel != "".
bool net_boot(const BootEnv& b);
// spec 1.7/5.4: an OS installer bootenv (name ends in "-install").
bool is_install_bootenv(std::string_view name);

// spec 1.7: syntactic errors prefixed "<Name>: " (templates need a Path; Loaders keys limited).
Errors validate(const BootEnv& b);

}  // namespace drover::model
