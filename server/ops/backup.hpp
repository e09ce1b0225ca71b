// `droverd backup` and `droverd restore`: one tar file holding a consistent copy of a data dir,
// taken while droverd runs. The store is copied first (compacted, one LMDB snapshot) and only the
// logs of jobs in that snapshot follow, so a restored server has no orphan logs; the keys that
// seal secure params and sign tokens come along, without which the copy would be unreadable.
#pragma once
#include <cstdint>
#include <string>

namespace drover::ops {

struct BackupSummary {
    std::uint64_t archive_bytes = 0;
    std::size_t jobs = 0;
    std::size_t job_logs = 0;
};

// Writes the backup of `data_dir` to `archive_path` (mode 0600: it holds the server's keys),
// atomically replacing any file there. Returns an error message, empty on success.
std::string backup_data_dir(const std::string& data_dir, const std::string& archive_path,
                            const std::string& drover_version, BackupSummary& summary);

// Unpacks `archive_path` into `data_dir`, which must be missing or empty. As root into a data dir
// owned by another user (the packaged /var/lib/drover), the files are given to that user. On
// failure nothing is left in `data_dir`. Returns an error message, empty on success.
std::string restore_data_dir(const std::string& archive_path, const std::string& data_dir,
                             BackupSummary& summary);

}  // namespace drover::ops
