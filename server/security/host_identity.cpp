// gethostname(2) and getifaddrs(3) into a CertificateSubject (see host_identity.hpp).
#include "server/security/host_identity.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>

namespace drover::security {
namespace {

void add_unique(std::vector<std::string>& list, const std::string& item) {
    if (!item.empty() && std::find(list.begin(), list.end(), item) == list.end())
        list.push_back(item);
}

std::string host_name() {
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "";
    return name;
}

std::string address_text(const sockaddr* addr) {
    char text[INET6_ADDRSTRLEN] = {};
    if (addr->sa_family == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, text,
                    sizeof text);
    else if (addr->sa_family == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, text,
                    sizeof text);
    return text;
}

}  // namespace

CertificateSubject local_certificate_subject() {
    CertificateSubject s;
    std::string name = host_name();
    s.common_name = name.empty() ? "localhost" : name;
    add_unique(s.dns_names, name);
    add_unique(s.dns_names, "localhost");
    s.ip_addresses = {"127.0.0.1", "::1"};
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return s;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP)) continue;
        add_unique(s.ip_addresses, address_text(i->ifa_addr));
    }
    ::freeifaddrs(list);
    return s;
}

}  // namespace drover::security
