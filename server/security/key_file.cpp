#include "server/security/key_file.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "server/security/private_file.hpp"

namespace drover::security {

api::Expected<std::string, std::string> read_or_create_key(const std::string& path,
                                                           std::size_t bytes) {
    auto existing = read_private_file(path, bytes + 1);
    if (!existing) return api::unexpected(existing.error());
    if (*existing) return std::move(**existing);
    std::string fresh(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(fresh.data()), static_cast<int>(bytes)) != 1)
        return api::unexpected("cannot generate " + path + ": RAND_bytes failed");
    auto created = create_private_file(path, fresh);
    OPENSSL_cleanse(fresh.data(), fresh.size());
    if (!created) return api::unexpected(created.error());
    existing = read_private_file(path, bytes + 1);  // ours, or one that won a race
    if (!existing) return api::unexpected(existing.error());
    if (!*existing) return api::unexpected("key " + path + " vanished");
    return std::move(**existing);
}

}  // namespace drover::security
