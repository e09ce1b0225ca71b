// droverd's structured log: one logfmt line per entry on stderr (`level=info msg=... key=value`).
// Each line leaves in a single write(2), so concurrent lines never interleave and no lock is held
// across I/O. When stderr is the journal (JOURNAL_STREAM names it, systemd.exec(5)) every line
// starts with sd-daemon(3)'s "<N>" priority prefix, so the journal records the level.
// Invariants: the level is one atomic, settable from any thread (a SIGHUP handler's thread
// included); values are escaped, so a request path cannot forge a line or a field.
#pragma once
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace drover::ops {

// Ordered by verbosity: an entry is written when its level <= the current level.
enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3 };

void set_log_level(Level level);
Level log_level();
bool log_enabled(Level level);
// "error", "warn", "info" or "debug"; nullopt for anything else.
std::optional<Level> parse_level(std::string_view name);
std::string_view level_name(Level level);

// `value` as a logfmt value: bare when it is a non-empty run of printable characters without
// space, '"', '=' or '\', else quoted with '"', '\', and control characters escaped. Values longer
// than kMaxLogValue bytes are cut there and marked with "...".
inline constexpr std::size_t kMaxLogValue = 1024;
std::string logfmt_value(std::string_view value);

// One entry, formatted as fields are added. Pure: writing is write_log()'s job.
class LogEntry {
  public:
    LogEntry(Level level, std::string_view msg);

    LogEntry& field(std::string_view key, std::string_view value);
    LogEntry& field(std::string_view key, const char* value) {
        return field(key, std::string_view(value));
    }
    LogEntry& field(std::string_view key, std::integral auto value) {
        return integer(key, static_cast<std::int64_t>(value));
    }
    // Fixed-point with `decimals` digits (durations in ms).
    LogEntry& field(std::string_view key, double value, int decimals = 3);

    Level level() const { return level_; }
    // The whole line with its newline, with the journal's "<N>" prefix when `journal`.
    std::string line(bool journal) const;

  private:
    LogEntry& integer(std::string_view key, std::int64_t value);

    Level level_;
    std::string fields_;  // "level=... msg=... k=v ..." without the newline
};

// Writes the entry to stderr if its level is enabled.
void write_log(const LogEntry& entry);

// Whether `fd` is the stream systemd connected to the journal: `journal_stream` (the value of
// JOURNAL_STREAM, may be null) is "<device>:<inode>" of that stream, and a stderr redirected
// since (by a shell in the unit, say) no longer matches it.
bool is_journal_stream(int fd, const char* journal_stream);

// The everyday form: fields are formatted only when the level is enabled, and the entry is
// written when the temporary ends: `ops::Log(ops::Level::Warn, "slow").field("ms", 12.5);`
class Log {
  public:
    Log(Level level, std::string_view msg);
    ~Log();
    Log(const Log&) = delete;
    Log& operator=(const Log&) = delete;

    template <class T>
    Log& field(std::string_view key, const T& value) {
        if (entry_) entry_->field(key, value);
        return *this;
    }

  private:
    std::optional<LogEntry> entry_;
};

}  // namespace drover::ops
