// Random identifiers the server assigns: version-4 UUIDs (Machine, Job keys) and machine
// Secrets (spec 1.1: 16 characters; changing it revokes the machine's tokens).
#pragma once
#include <string>

namespace drover::objects {

std::string random_uuid();
std::string random_secret();

}  // namespace drover::objects
