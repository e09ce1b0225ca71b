// The task's private working directory (spec 5.7 step 2) and the files the runner writes there or
// where file actions point. Invariant: a TaskDir's directory exists from create() until the
// TaskDir goes away, and is then removed with everything in it, whatever the task did.
#pragma once
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace drover::agent {

class TaskDir {
  public:
    // mkdtemp(<runner_dir>/<prefix>-XXXXXX); nullopt with `error` set when it cannot be made.
    static std::optional<TaskDir> create(const std::filesystem::path& runner_dir,
                                         std::string_view prefix, std::string& error);
    ~TaskDir();
    TaskDir(TaskDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
    TaskDir& operator=(TaskDir&&) = delete;
    TaskDir(const TaskDir&) = delete;
    TaskDir& operator=(const TaskDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

  private:
    explicit TaskDir(std::filesystem::path p) : path_(std::move(p)) {}
    std::filesystem::path path_;
};

// `name` usable as one path component: '/' and NUL become '_'.
std::string file_component(std::string_view name);

// spec 5.7: where a file action's Path points. Relative paths are cleaned and placed under the
// task dir; one that would leave it (via "..") or names the dir itself gives nullopt.
std::optional<std::filesystem::path> resolve_action_path(const std::filesystem::path& task_dir,
                                                         std::string_view action_path);

// Writes `content` to `path`, creating it with `mode` (before the umask) or truncating it. With
// `force_mode` the mode is set exactly even on an existing file. Returns "" or the error.
std::string write_file(const std::filesystem::path& path, std::string_view content, mode_t mode,
                       bool force_mode);

// mkdir -p of the file's parent directory. Returns "" or the error.
std::string make_parent_dirs(const std::filesystem::path& path);

}  // namespace drover::agent
