// `droverd restore`: the inverse of backup.cpp. Only the names a backup writes are accepted, so
// a tampered archive cannot plant files outside the data dir or where droverd would run them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/posix/unique_fd.hpp"
#include "server/ops/backup.hpp"
#include "server/ops/tar_archive.hpp"
#include "server/store/lmdb_backup.hpp"

namespace drover::ops {
namespace {

namespace fs = std::filesystem;
using posix::UniqueFd;

constexpr const char* kManifest = "drover-backup.json";
constexpr int kFormat = 1;

std::string os_error(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// The names backup.cpp writes: the manifest, the store, the first password, the key and TLS
// files one level down, and job logs two levels down.
bool expected_name(const TarEntry& entry) {
    const std::string& n = entry.name;
    auto depth = std::count(n.begin(), n.end(), '/');
    if (entry.directory)
        return n == "security" || n == "tls" || n == "logs" ||
               (starts_with(n, "logs/") && depth == 1);
    if (n == kManifest || n == "data.mdb" || n == "initial-admin-password") return true;
    if ((starts_with(n, "security/") || starts_with(n, "tls/")) && depth == 1) return true;
    return starts_with(n, "logs/") && depth == 2 && (n.ends_with(".log") || n.ends_with(".tail"));
}

// Owner for restored files: the data dir's, when we are root and it belongs to someone else.
struct Owner {
    std::optional<std::pair<uid_t, gid_t>> ids;
    std::string apply(int fd, const std::string& name) const {
        if (ids && ::fchown(fd, ids->first, ids->second) != 0) return os_error("chown " + name);
        return {};
    }
};

class Unpacker {
  public:
    Unpacker(fs::path data_dir, Owner owner, BackupSummary& summary)
        : dir_(std::move(data_dir)), owner_(owner), summary_(summary) {}

    TarError on_entry(const TarEntry& entry, const TarReadData& read_data) {
        if (!seen_manifest_ && entry.name != kManifest)
            return "not a drover backup: it does not start with " + std::string(kManifest);
        if (!expected_name(entry)) return "unexpected entry in a drover backup: " + entry.name;
        if (entry.directory) return make_directory(entry);
        if (entry.name == kManifest) return read_manifest(entry, read_data);
        if (starts_with(entry.name, "logs/") && entry.name.ends_with(".log")) ++summary_.job_logs;
        if (entry.name == "data.mdb") saw_store_ = true;
        return write_file(entry, read_data);
    }
    bool saw_store() const { return saw_store_; }

  private:
    TarError make_directory(const TarEntry& entry) {
        fs::path path = dir_ / entry.name;
        if (::mkdir(path.c_str(), entry.mode & 0755) != 0)
            return os_error("creating " + path.string());
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd.valid()) return os_error("opening " + path.string());
        return owner_.apply(fd.get(), path.string());
    }

    TarError read_manifest(const TarEntry& entry, const TarReadData& read_data) {
        if (entry.size > 64 * 1024) return "the backup's manifest is too large";
        std::string text(entry.size, '\0');
        for (std::size_t at = 0; at < text.size();) {
            std::size_t n = read_data(text.data() + at, text.size() - at);
            if (n == 0) return "the archive is truncated";
            at += n;
        }
        auto manifest = nlohmann::json::parse(text, nullptr, false);
        if (!manifest.is_object() || !manifest.contains("Format"))
            return "not a drover backup: its manifest is unreadable";
        if (manifest["Format"] != kFormat)
            return "this backup has format " + manifest["Format"].dump() +
                   "; this droverd reads format " + std::to_string(kFormat);
        if (manifest.contains("Jobs") && manifest["Jobs"].is_number_unsigned())
            summary_.jobs = manifest["Jobs"].get<std::size_t>();
        seen_manifest_ = true;
        return {};
    }

    TarError write_file(const TarEntry& entry, const TarReadData& read_data) {
        fs::path path = dir_ / entry.name;
        // O_EXCL: a name twice in one archive is an error, never a silent overwrite.
        UniqueFd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                            entry.mode & 0644));
        if (!out.valid()) return os_error("creating " + path.string());
        std::array<char, 1 << 16> buffer;
        for (std::size_t n; (n = read_data(buffer.data(), buffer.size())) > 0;) {
            if (::write(out.get(), buffer.data(), n) != static_cast<ssize_t>(n))
                return os_error("writing " + path.string());
        }
        return owner_.apply(out.get(), path.string());
    }

    fs::path dir_;
    Owner owner_;
    BackupSummary& summary_;
    bool seen_manifest_ = false;
    bool saw_store_ = false;
};

std::string prepare_data_dir(const fs::path& dir, Owner& owner) {
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) return dir.string() + " is not a directory";
        if (!fs::is_empty(dir, ec))
            return dir.string() + " is not empty: restore only into an empty data dir";
    } else if (!fs::create_directories(dir, ec)) {
        return "creating " + dir.string() + ": " + ec.message();
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return os_error("reading " + dir.string());
    if (::geteuid() == 0 && st.st_uid != 0) owner.ids = std::make_pair(st.st_uid, st.st_gid);
    return {};
}

void empty_directory(const fs::path& dir) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        fs::remove_all(entry.path(), ec);
}

// One syncfs() for the whole restore instead of an fsync per file: a backup holds a file per job
// log, and per-file syncs made restoring 18,000 logs take 90 s instead of 2.
std::string sync_filesystem(const fs::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid() || ::syncfs(fd.get()) != 0) return os_error("syncing " + dir.string());
    return {};
}

}  // namespace

std::string restore_data_dir(const std::string& archive_path, const std::string& data_dir,
                             BackupSummary& summary) {
    summary = {};
    UniqueFd in(::open(archive_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.valid()) return os_error("opening " + archive_path);
    struct stat st {};
    if (::fstat(in.get(), &st) == 0) summary.archive_bytes = st.st_size;
    fs::path dir = fs::absolute(data_dir);
    Owner owner;
    if (auto e = prepare_data_dir(dir, owner); !e.empty()) return e;
    Unpacker unpacker(dir, owner, summary);
    std::string error = read_tar(in.get(), [&](const TarEntry& e, const TarReadData& read) {
        return unpacker.on_entry(e, read);
    });
    if (error.empty() && !unpacker.saw_store()) error = "the backup holds no store (data.mdb)";
    if (error.empty()) error = store::check_private_store(dir.string()).message;
    if (error.empty()) error = sync_filesystem(dir);
    if (!error.empty()) empty_directory(dir);
    return error;
}

}  // namespace drover::ops
