// The ustar reader and writer behind droverd's backups: what is written reads back, and what a
// hostile or damaged archive holds (names escaping the target, bad checksums, a cut-off end) is
// refused with a message instead of being unpacked.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "server/ops/tar_archive.hpp"

using drover::ops::read_tar;
using drover::ops::safe_relative_name;
using drover::ops::TarEntry;
using drover::ops::TarError;
using drover::ops::TarReadData;
using drover::ops::TarWriter;

namespace {

// An anonymous temp file (O_TMPFILE would do too; this is portable to any tmpfs).
struct TempFile {
    int fd = -1;
    TempFile() {
        char name[] = "/tmp/tar-test-XXXXXX";
        fd = mkstemp(name);
        unlink(name);
    }
    ~TempFile() { close(fd); }
    void write_all(const std::string& s) const {
        REQUIRE(::write(fd, s.data(), s.size()) == ssize_t(s.size()));
    }
    std::string contents() const {
        std::string out(static_cast<std::size_t>(lseek(fd, 0, SEEK_END)), '\0');
        REQUIRE(pread(fd, out.data(), out.size(), 0) == ssize_t(out.size()));
        return out;
    }
    void rewind() const { lseek(fd, 0, SEEK_SET); }
};

struct Read {
    std::string name;
    bool directory;
    std::string data;
};

TarError read_all(const TempFile& f, std::vector<Read>& out) {
    f.rewind();
    return read_tar(f.fd, [&](const TarEntry& e, const TarReadData& read) -> TarError {
        Read r{e.name, e.directory, {}};
        char buffer[100];
        for (std::size_t n; (n = read(buffer, sizeof buffer)) > 0;)
            r.data.append(buffer, n);
        out.push_back(r);
        return {};
    });
}

// A one-block header with `name`, written the way any tar program would, with a valid checksum.
std::string header(const std::string& name, std::size_t size) {
    std::string h(512, '\0');
    std::memcpy(h.data(), name.data(), name.size());
    std::snprintf(h.data() + 100, 8, "%07o", 0644);
    std::snprintf(h.data() + 124, 12, "%011zo", size);
    h[156] = '0';
    std::memcpy(h.data() + 257, "ustar", 6);
    std::memset(h.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h)
        sum += c;
    std::snprintf(h.data() + 148, 8, "%06o", sum);
    return h;
}

std::string padded(const std::string& data) {
    return data + std::string((512 - data.size() % 512) % 512, '\0');
}

}  // namespace

TEST_CASE("tar: files and directories read back as written", "[tar]") {
    TempFile source, archive;
    std::string big(70000, 'x');
    source.write_all(big);
    source.rewind();
    TarWriter tar(archive.fd);
    REQUIRE(tar.add_directory("logs", 0755).empty());
    REQUIRE(tar.add_file("logs/ab/" + std::string(90, 'n') + ".log", 0600, source.fd, big.size())
                .empty());
    REQUIRE(tar.finish().empty());
    CHECK(archive.contents().size() % 512 == 0);

    std::vector<Read> entries;
    REQUIRE(read_all(archive, entries).empty());
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].name == "logs");
    CHECK(entries[0].directory);
    CHECK(entries[1].name == "logs/ab/" + std::string(90, 'n') + ".log");  // via the prefix field
    CHECK(entries[1].data == big);
}

TEST_CASE("tar: a source that shrinks while it is archived is an error", "[tar]") {
    TempFile source, archive;
    source.write_all("short");
    source.rewind();
    TarWriter tar(archive.fd);
    CHECK(tar.add_file("data.mdb", 0600, source.fd, 100) ==
          "data.mdb shrank while it was being archived");
}

TEST_CASE("tar: names that could leave the target directory are refused", "[tar]") {
    for (const char* name : {"../evil", "/etc/passwd", "logs/../../evil", "a//b", "./a", ""}) {
        INFO(name);
        CHECK_FALSE(safe_relative_name(name));
        TempFile archive;
        archive.write_all(header(name, 4) + padded("evil") + std::string(1024, '\0'));
        std::vector<Read> entries;
        CHECK(read_all(archive, entries).rfind("unsafe name in archive", 0) == 0);
        CHECK(entries.empty());
    }
    CHECK(safe_relative_name("logs/ab/x.log"));
}

TEST_CASE("tar: damaged and truncated archives are refused", "[tar]") {
    std::string good = header("data.mdb", 5) + padded("hello") + std::string(1024, '\0');
    SECTION("bad checksum") {
        std::string bad = good;
        bad[0] = 'D';
        TempFile archive;
        archive.write_all(bad);
        std::vector<Read> entries;
        CHECK(read_all(archive, entries) == "the archive is damaged (bad header checksum)");
    }
    SECTION("cut inside the data") {
        TempFile archive;
        archive.write_all(good.substr(0, 515));
        std::vector<Read> entries;
        CHECK(read_all(archive, entries) == "the archive is truncated");
    }
    SECTION("no end blocks") {
        TempFile archive;
        archive.write_all(good.substr(0, 1024));
        std::vector<Read> entries;
        CHECK(read_all(archive, entries) == "the archive is truncated");
    }
    SECTION("symbolic links are not unpacked") {
        std::string link = header("tls/server.key", 0);
        link[156] = '2';
        std::memset(link.data() + 148, ' ', 8);
        unsigned sum = 0;
        for (unsigned char c : link)
            sum += c;
        std::snprintf(link.data() + 148, 8, "%06o", sum);
        TempFile archive;
        archive.write_all(link + std::string(1024, '\0'));
        std::vector<Read> entries;
        CHECK(read_all(archive, entries) == "unsupported entry type in archive: tls/server.key");
    }
    SECTION("the intact archive reads") {
        TempFile archive;
        archive.write_all(good);
        std::vector<Read> entries;
        REQUIRE(read_all(archive, entries).empty());
        CHECK(entries.at(0).data == "hello");
    }
}
