// The LMDB side of `droverd backup` and `droverd restore`: a compacted snapshot of a data dir's
// environment taken by a separate process beside a running droverd (LMDB's lock file registers
// the copy's reader, so droverd never reuses the pages being copied), and checks on such a copy.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "server/store/store.hpp"

namespace drover::store {

// Writes a compacted copy of the environment in `data_dir` to `target_dir`/data.mdb; the target
// dir must exist and hold no data.mdb. Fails when `data_dir` holds no drover store.
Status copy_store_compacted(const std::string& data_dir, const std::string& target_dir);

// The keys of `bucket` (empty when the bucket does not exist) in the environment in `dir`, which
// no other process may be using (a fresh copy or a restored data dir).
Status private_bucket_keys(const std::string& dir, std::string_view bucket,
                           std::vector<std::string>& keys);

// Ok when the environment in `dir` (private, as above) is a drover store this build can open.
Status check_private_store(const std::string& dir);

}  // namespace drover::store
