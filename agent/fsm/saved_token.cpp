#include "agent/fsm/saved_token.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "agent/client/private_file.hpp"
#include "common/security/token.hpp"

namespace drover::agent {
namespace {

std::string path_in(const std::string& state_dir) {
    return state_dir + "/token";
}

std::int64_t expiry_of(const std::string& token) {
    auto life = security::token_lifetime(token);
    return life ? life->expires_at : 0;
}

}  // namespace

std::string pick_start_token(const std::string& state_dir, const std::string& machine,
                             const std::string& given) {
    if (given.empty()) return given;
    auto text = client::read_private_file(path_in(state_dir));
    if (!text) return given;  // none saved yet, or not safe to use
    auto saved = nlohmann::json::parse(*text, nullptr, false);
    if (!saved.is_object() || saved.value("Machine", "") != machine) return given;
    std::string token = saved.value("Token", "");
    return expiry_of(token) > expiry_of(given) ? token : given;
}

std::string save_token(const std::string& state_dir, const std::string& machine,
                       const std::string& token) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    if (ec) return "cannot create " + state_dir + ": " + ec.message();
    nlohmann::json saved{{"Machine", machine}, {"Token", token}};
    return client::write_file_atomically(path_in(state_dir), saved.dump() + "\n", 0600,
                                         client::Overwrite::Replace);
}

}  // namespace drover::agent
