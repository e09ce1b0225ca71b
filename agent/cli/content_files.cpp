#include "agent/cli/content_files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace drover::cli {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return buf.str();
}

// Appends every regular file of `dir` as "<prefix><name>"; false (and an error) if unreadable.
bool read_files(const fs::path& dir, const std::string& prefix,
                std::vector<content::SourceFile>& out, model::Errors& errors) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        std::string name = prefix + it->path().filename().string();
        auto text = read_text(it->path());
        if (text)
            out.push_back({name, std::move(*text)});
        else
            errors.push_back(name + ": " + std::strerror(errno));
    }
    if (ec) errors.push_back((prefix.empty() ? dir.string() : prefix) + ": " + ec.message());
    return !ec;
}

content::ParseResult read_directory(const fs::path& dir) {
    std::vector<content::SourceFile> files;
    model::Errors errors;
    if (read_files(dir, "", files, errors)) {
        std::error_code ec;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            std::string name = it->path().filename().string();
            if (name.starts_with(".") || !it->is_directory(ec)) continue;
            read_files(it->path(), name + "/", files, errors);
        }
    }
    if (!errors.empty()) return api::unexpected(errors);
    return content::parse_directory(files);
}

}  // namespace

content::ParseResult read_bundle(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return read_directory(path);
    auto text = read_text(path);
    if (!text) return api::unexpected(model::Errors{path + ": " + std::strerror(errno)});
    return content::parse_file({path, std::move(*text)});
}

}  // namespace drover::cli
