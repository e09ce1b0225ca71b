#include "server/ops/backup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/posix/unique_fd.hpp"
#include "common/rules/durations.hpp"
#include "server/jobs/log_files.hpp"
#include "server/ops/tar_archive.hpp"
#include "server/store/lmdb_backup.hpp"

namespace drover::ops {
namespace {

namespace fs = std::filesystem;
using posix::UniqueFd;

constexpr const char* kManifest = "drover-backup.json";
constexpr int kFormat = 1;
// Besides the store and the logs: the keys (security/), the TLS pair (tls/) and the first
// password. Everything else in a data dir (lock files) belongs to a running droverd only.
constexpr const char* kKeptDirs[] = {"security", "tls"};
constexpr const char* kKeptFiles[] = {"initial-admin-password"};

std::string os_error(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

// Removes a directory tree when it goes out of scope, unless released.
class ScratchDir {
  public:
    explicit ScratchDir(fs::path path) : path_(std::move(path)) {}
    ~ScratchDir() {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

std::string sync_path(const fs::path& path, int flags) {
    UniqueFd fd(::open(path.c_str(), flags | O_RDONLY | O_CLOEXEC));
    if (!fd.valid() || ::fsync(fd.get()) != 0) return os_error("syncing " + path.string());
    return {};
}

std::string add_open_file(TarWriter& tar, const std::string& name, const UniqueFd& fd) {
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return os_error("reading " + name);
    return tar.add_file(name, st.st_mode & 0777, fd.get(), static_cast<std::uint64_t>(st.st_size));
}

std::string add_path(TarWriter& tar, const fs::path& path, const std::string& name) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return os_error("opening " + path.string());
    return add_open_file(tar, name, fd);
}

std::string add_keys_and_tls(TarWriter& tar, const fs::path& data_dir) {
    for (const char* dir : kKeptDirs) {
        std::error_code ec;
        if (!fs::is_directory(data_dir / dir, ec)) continue;
        if (auto e = tar.add_directory(dir, 0700); !e.empty()) return e;
        for (const auto& entry : fs::directory_iterator(data_dir / dir, ec)) {
            if (!entry.is_regular_file()) continue;
            std::string name = std::string(dir) + "/" + entry.path().filename().string();
            if (auto e = add_path(tar, entry.path(), name); !e.empty()) return e;
        }
        if (ec) return "listing " + (data_dir / dir).string() + ": " + ec.message();
    }
    for (const char* file : kKeptFiles) {
        std::error_code ec;
        if (!fs::is_regular_file(data_dir / file, ec)) continue;
        if (auto e = add_path(tar, data_dir / file, file); !e.empty()) return e;
    }
    return {};
}

// A job's log as the server reads it: the tail file first, then the head. A tail only ever
// appears by rename over a finished head, so the pair opened in this order belongs together.
std::string add_job_log(TarWriter& tar, const fs::path& data_dir, const std::string& id,
                        BackupSummary& summary) {
    auto paths = jobs::files::paths_for((data_dir / "logs").string(), id);
    std::string shard = "logs/" + id.substr(0, 2) + "/";
    UniqueFd tail(::open(paths.tail.c_str(), O_RDONLY | O_CLOEXEC));
    UniqueFd head(::open(paths.log.c_str(), O_RDONLY | O_CLOEXEC));
    if (!head.valid()) return {};  // no output yet (or the job was never started)
    if (auto e = add_open_file(tar, shard + id + ".log", head); !e.empty()) return e;
    if (tail.valid())
        if (auto e = add_open_file(tar, shard + id + ".tail", tail); !e.empty()) return e;
    ++summary.job_logs;
    return {};
}

std::string add_job_logs(TarWriter& tar, const fs::path& data_dir,
                         const std::vector<std::string>& ids, BackupSummary& summary) {
    std::string last_shard;
    for (const auto& id : ids) {
        if (id.size() < 2 || !safe_relative_name(id) || id.find('/') != std::string::npos)
            continue;  // not a key the log store could have written a file for
        std::string shard = "logs/" + id.substr(0, 2);
        std::error_code ec;
        if (shard != last_shard && fs::is_directory(data_dir / shard, ec)) {
            if (last_shard.empty())
                if (auto e = tar.add_directory("logs", 0755); !e.empty()) return e;
            if (auto e = tar.add_directory(shard, 0755); !e.empty()) return e;
            last_shard = shard;
        }
        if (auto e = add_job_log(tar, data_dir, id, summary); !e.empty()) return e;
    }
    return {};
}

std::string manifest_json(const std::string& version, const BackupSummary& summary) {
    nlohmann::json manifest{{"Format", kFormat},
                            {"DroverVersion", version},
                            {"Created", rules::format_rfc3339(std::chrono::system_clock::now())},
                            {"Jobs", summary.jobs}};
    return manifest.dump(2) + "\n";
}

std::string write_archive(int fd, const fs::path& data_dir, const fs::path& snapshot,
                          const std::string& version, BackupSummary& summary) {
    TarWriter tar(fd);
    std::vector<std::string> ids;
    if (auto s = store::private_bucket_keys(snapshot.string(), "jobs", ids); !s.ok())
        return s.message;
    summary.jobs = ids.size();
    // The manifest goes first so a restore knows at once whether it reads a drover backup.
    fs::path manifest_path = snapshot / kManifest;
    {
        UniqueFd out(::open(manifest_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        std::string text = manifest_json(version, summary);
        if (!out.valid() || ::write(out.get(), text.data(), text.size()) != ssize_t(text.size()))
            return os_error("writing the manifest");
    }
    if (auto e = add_path(tar, manifest_path, kManifest); !e.empty()) return e;
    if (auto e = add_path(tar, snapshot / "data.mdb", "data.mdb"); !e.empty()) return e;
    if (auto e = add_keys_and_tls(tar, data_dir); !e.empty()) return e;
    if (auto e = add_job_logs(tar, data_dir, ids, summary); !e.empty()) return e;
    return tar.finish();
}

}  // namespace

std::string backup_data_dir(const std::string& data_dir, const std::string& archive_path,
                            const std::string& drover_version, BackupSummary& summary) {
    summary = {};
    fs::path archive = fs::absolute(archive_path);
    ScratchDir snapshot(archive.string() + ".snapshot-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove_all(snapshot.path(), ec);
    if (!fs::create_directory(snapshot.path(), ec))
        return "creating " + snapshot.path().string() + ": " + ec.message();
    if (auto s = store::copy_store_compacted(data_dir, snapshot.path().string()); !s.ok())
        return s.message;
    fs::path partial = archive.string() + ".partial";
    fs::remove(partial, ec);
    UniqueFd out(::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out.valid()) return os_error("creating " + partial.string());
    std::string error =
        write_archive(out.get(), data_dir, snapshot.path(), drover_version, summary);
    if (error.empty() && ::fsync(out.get()) != 0) error = os_error("syncing " + partial.string());
    struct stat st {};
    if (error.empty() && ::fstat(out.get(), &st) == 0) summary.archive_bytes = st.st_size;
    if (error.empty() && ::rename(partial.c_str(), archive.c_str()) != 0)
        error = os_error("renaming " + partial.string());
    if (error.empty()) error = sync_path(archive.parent_path(), O_DIRECTORY);
    if (!error.empty()) fs::remove(partial, ec);
    return error;
}

}  // namespace drover::ops
