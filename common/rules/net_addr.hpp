// Address syntax used by Machine validation (spec 1.1): dotted IPv4 and MAC addresses in the
// forms Go's net.ParseMAC accepts (6, 8 or 20 octets; ':' or '-' pairs, or '.' quads).
#pragma once
#include <string_view>

namespace drover::rules {

bool valid_ipv4(std::string_view s);
bool valid_mac(std::string_view s);

}  // namespace drover::rules
