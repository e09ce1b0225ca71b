#include "server/ops/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace drover::ops {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::Info)};

// sd-daemon(3): LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG.
std::string_view journal_prefix(Level level) {
    switch (level) {
        case Level::Error:
            return "<3>";
        case Level::Warn:
            return "<4>";
        case Level::Info:
            return "<6>";
        case Level::Debug:
            return "<7>";
    }
    return "<6>";
}

bool needs_quotes(std::string_view value) {
    if (value.empty()) return true;
    for (unsigned char c : value)
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) return true;
    return false;
}

void append_escaped(std::string& out, std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < ' ' || c == 0x7f) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
}

// The whole buffer, however many writes it takes (a signal may interrupt a long one).
void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // nowhere to complain to
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

bool is_journal_stream(int fd, const char* journal_stream) {
    if (!journal_stream) return false;
    std::string_view text(journal_stream);
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    unsigned long long dev = 0, ino = 0;
    auto d = std::from_chars(text.data(), text.data() + colon, dev);
    auto i = std::from_chars(text.data() + colon + 1, text.data() + text.size(), ino);
    if (d.ec != std::errc() || i.ec != std::errc() || i.ptr != text.data() + text.size())
        return false;
    struct stat st {};
    if (::fstat(fd, &st) != 0) return false;
    return st.st_dev == dev && st.st_ino == ino;
}

void set_log_level(Level level) {
    g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

Level log_level() {
    return static_cast<Level>(g_level.load(std::memory_order_relaxed));
}

bool log_enabled(Level level) {
    return static_cast<int>(level) <= g_level.load(std::memory_order_relaxed);
}

std::optional<Level> parse_level(std::string_view name) {
    for (Level l : {Level::Error, Level::Warn, Level::Info, Level::Debug})
        if (name == level_name(l)) return l;
    return std::nullopt;
}

std::string_view level_name(Level level) {
    switch (level) {
        case Level::Error:
            return "error";
        case Level::Warn:
            return "warn";
        case Level::Info:
            return "info";
        case Level::Debug:
            return "debug";
    }
    return "info";
}

std::string logfmt_value(std::string_view value) {
    bool cut = value.size() > kMaxLogValue;
    if (cut) value = value.substr(0, kMaxLogValue);
    if (!cut && !needs_quotes(value)) return std::string(value);
    std::string out = "\"";
    append_escaped(out, value);
    if (cut) out += "...";
    out += '"';
    return out;
}

LogEntry::LogEntry(Level level, std::string_view msg) : level_(level) {
    fields_.reserve(160);
    fields_ += "level=";
    fields_ += level_name(level);
    field("msg", msg);
}

LogEntry& LogEntry::field(std::string_view key, std::string_view value) {
    fields_ += ' ';
    fields_ += key;
    fields_ += '=';
    fields_ += logfmt_value(value);
    return *this;
}

LogEntry& LogEntry::integer(std::string_view key, std::int64_t value) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    return field(key, std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

LogEntry& LogEntry::field(std::string_view key, double value, int decimals) {
    char buf[48];
    auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, decimals);
    std::string_view text =
        r.ec == std::errc() ? std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)) : "NaN";
    return field(key, text);
}

std::string LogEntry::line(bool journal) const {
    std::string out;
    out.reserve(fields_.size() + 4);
    if (journal) out += journal_prefix(level_);
    out += fields_;
    out += '\n';
    return out;
}

void write_log(const LogEntry& entry) {
    if (!log_enabled(entry.level())) return;
    static const bool journal = is_journal_stream(STDERR_FILENO, std::getenv("JOURNAL_STREAM"));
    write_all(STDERR_FILENO, entry.line(journal));
}

Log::Log(Level level, std::string_view msg) {
    if (log_enabled(level)) entry_.emplace(level, msg);
}

Log::~Log() {
    if (entry_) write_log(*entry_);
}

}  // namespace drover::ops
