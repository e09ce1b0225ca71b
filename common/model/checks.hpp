// Small building blocks the per-object validators share. spec 1.0: validation collects every
// error, and messages from an object's own validator are prefixed "<Key>: ".
#pragma once
#include <optional>

#include "common/model/codec.hpp"

namespace drover::model {

inline Errors prefix_errors(const std::string& key, Errors errs) {
    for (auto& e : errs)
        e = key + ": " + e;
    return errs;
}

inline void add_if(Errors& errs, std::optional<std::string> e) {
    if (e) errs.push_back(std::move(*e));
}

inline void append(Errors& errs, const Errors& more) {
    errs.insert(errs.end(), more.begin(), more.end());
}

// Profile lists (Machine, Stage, Profile): names valid, no duplicates
// ("Duplicate profile jill: at 0 and 1", spec 5.8).
Errors profile_list_errors(const std::vector<std::string>& profiles);

// RequiredParams / OptionalParams entries must be valid param names.
Errors param_list_errors(const char* what, const std::vector<std::string>& params);

// Keys of a Params map must be valid param names.
Errors param_key_errors(const std::map<std::string, Json>& params);

}  // namespace drover::model
