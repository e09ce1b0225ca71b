// Go net/url.Parse for the pieces render data exposes (.ParseURL scheme/host/path and
// .ProvisionerAddress): same scheme rules, opaque URLs, authority/port validation, percent
// decoding of the path and Go's error texts ("parse \"u\": invalid URL escape \"%zz\"").
#pragma once

#include <optional>
#include <string>

namespace drover::tmpl {

struct GoUrl {
    std::string scheme, host, path;
    std::string hostname() const;  // url.URL.Hostname(): host without port or brackets
};

std::optional<GoUrl> go_url_parse(const std::string& raw, std::string* err);

}  // namespace drover::tmpl
