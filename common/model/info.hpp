// spec 1.12: Info (GET /api/v3/info) and UserToken ({Token, Info}, from the token endpoints).
// Info's keys are lower-case on the wire, as in DRP.
#pragma once
#include "common/model/envelope.hpp"

namespace drover::model {

struct Info : Extensible {
    static constexpr const char* kTypeName = "Info";
    std::string arch;
    std::string os;
    std::string version;
    std::string id;
    std::string local_id;
    int api_port = 0;
    int file_port = 0;
    int secure_file_port = 0;
    int tftp_port = 0;
    int dhcp_port = 0;
    std::string address;
    std::string server_hostname;
    std::vector<std::string> features;

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        v("arch", s.arch);
        v("os", s.os);
        v("version", s.version);
        v("id", s.id);
        v("local_id", s.local_id);
        v("api_port", s.api_port);
        v("file_port", s.file_port);
        v("secure_file_port", s.secure_file_port);
        v("tftp_port", s.tftp_port);
        v("dhcp_port", s.dhcp_port);
        v("address", s.address);
        v("server_hostname", s.server_hostname);
        v("features", s.features);
    }
};

struct UserToken : Extensible {
    static constexpr const char* kTypeName = "UserToken";
    std::string token;
    Info info;

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        v("Token", s.token);
        v("Info", s.info);
    }
};

}  // namespace drover::model
