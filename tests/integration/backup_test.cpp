// `droverd backup` and `droverd restore` (issue 8) with the real binary: a backup taken while
// droverd serves writes restores into a server that has every write acknowledged before the
// backup began, the job logs byte for byte (a truncated one too), readable secure params and
// working tokens (the keys came along); restore refuses what is not an empty dir or a backup.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "droverd_process.hpp"

using namespace drover::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kUuid = "6c1f9a5b-0d2e-4f3a-9b4c-7d8e9fa0b1c2";

int run_droverd(const std::vector<std::string>& args) {
    std::string command = DROVERD_PATH;
    for (const auto& a : args)
        command += " '" + a + "'";
    command += " >/dev/null 2>&1";
    int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int backup(const DroverdProcess& d, const std::string& file) {
    return run_droverd({"backup", file, "--data-dir", d.data_dir()});
}

int restore(const std::string& file, const std::string& data_dir) {
    return run_droverd({"restore", file, "--data-dir", data_dir});
}

Reply ok(const Reply& r, int status = 200) {
    INFO(r.body.dump());
    REQUIRE(r.status == status);
    return r;
}

std::string put_log(httplib::Client& c, const std::string& job, std::size_t offset,
                    const std::string& bytes) {
    httplib::Headers h{{"X-Log-Offset", std::to_string(offset)}};
    auto res = c.Put("/api/v3/jobs/" + job + "/log", h, bytes, "application/octet-stream");
    REQUIRE(res);
    REQUIRE(res->status == 204);
    return bytes;
}

std::string read_log(httplib::Client& c, const std::string& job) {
    auto res = c.Get("/api/v3/jobs/" + job + "/log");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return res->body;
}

// A machine in a stage with one task, and its first job with a log of `chunks` 1 KiB chunks.
std::string job_with_log(httplib::Client& c, const std::string& uuid, const std::string& name,
                         int chunks) {
    ok(post(c, "/api/v3/tasks", {{"Name", name}, {"Templates", json::array()}}), 201);
    ok(post(c, "/api/v3/stages", {{"Name", name}, {"Tasks", {name}}}), 201);
    ok(post(c, "/api/v3/machines", {{"Uuid", uuid}, {"Name", name}, {"BootEnv", "local"}}), 201);
    ok(patch(c, "/api/v3/machines/" + uuid,
             json::array({{{"op", "replace"}, {"path", "/Stage"}, {"value", name}}})));
    std::string job = ok(post(c, "/api/v3/jobs", {{"Machine", uuid}}), 201).body["Uuid"];
    std::size_t offset = read_log(c, job).size();
    for (int i = 0; i < chunks; ++i)
        offset += put_log(c, job, offset, std::string(1024, char('a' + i % 26)) + "\n").size();
    return job;
}

}  // namespace

TEST_CASE("a backup taken under load restores into the same server", "[integration][backup]") {
    // A small log limit so the second job's log is truncated into a head and a tail file.
    DroverdProcess d({"--job-log-max-bytes", "8192"});
    auto c = d.client();
    std::string old_token = d.admin_token();
    ok(post(*c, "/api/v3/params", {{"Name", "vault/key"}, {"Secure", true}}), 201);
    ok(post(*c, "/api/v3/profiles", {{"Name", "vault"}, {"Params", {{"vault/key", "s3cret"}}}}),
       201);
    std::string small_job = job_with_log(*c, kUuid, "small", 3);
    std::string big_job = job_with_log(*c, "7d2a0b6c-1e3f-4a4b-8c5d-8e9fa0b1c2d3", "big", 40);
    REQUIRE(fs::exists(d.data_dir() + "/logs/" + big_job.substr(0, 2) + "/" + big_job + ".tail"));
    std::string small_log = read_log(*c, small_job);
    std::string big_log = read_log(*c, big_job);

    // Writes keep coming while the backup runs; those acknowledged before it began must be kept.
    std::atomic<bool> backup_started{false}, stop{false};
    auto writer = std::async(std::launch::async, [&] {
        auto w = d.client();
        std::set<std::string> before;
        for (int i = 0; !stop; ++i) {
            std::string name = "load-" + std::to_string(i);
            // Read after the answer: a write still in flight when the backup began may miss it.
            if (post(*w, "/api/v3/profiles", {{"Name", name}}).status == 201 && !backup_started)
                before.insert(name);
        }
        return before;
    });
    while (get(*c, "/api/v3/profiles?Name=load-20").body.empty())
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    fs::path archive = fs::path(d.data_dir()).parent_path() /
                       (fs::path(d.data_dir()).filename().string() + ".backup");
    backup_started = true;
    int backed_up = backup(d, archive);
    stop = true;  // before any REQUIRE: the writer's future waits for it when the test unwinds
    REQUIRE(backed_up == 0);
    std::set<std::string> acknowledged = writer.get();
    CHECK(fs::status(archive).permissions() == (fs::perms::owner_read | fs::perms::owner_write));

    d.stop();
    for (const auto& entry : fs::directory_iterator(d.data_dir()))
        fs::remove_all(entry.path());
    REQUIRE(restore(archive, d.data_dir()) == 0);
    fs::remove(archive);
    d.start();

    auto r = d.anonymous_client();
    r->set_bearer_token_auth(old_token.c_str());  // the token key came along
    CHECK(get(*r, "/api/v3/profiles/vault?decode=true").body["Params"]["vault/key"] == "s3cret");
    CHECK(read_log(*r, small_job) == small_log);
    CHECK(read_log(*r, big_job) == big_log);
    CHECK(get(*r, "/api/v3/jobs").body.size() == 2);
    for (const auto& name : acknowledged) {
        INFO(name);
        CHECK(get(*r, "/api/v3/profiles/" + name).status == 200);
    }
    // The restored server takes writes and the admin password (the users came along).
    CHECK(post(*d.client(), "/api/v3/profiles", {{"Name", "after-restore"}}).status == 201);
}

TEST_CASE("restore refuses a non-empty data dir and what is not a drover backup",
          "[integration][backup]") {
    DroverdProcess d;
    fs::path base = fs::path(d.data_dir()).parent_path();
    std::string stem = fs::path(d.data_dir()).filename().string();
    fs::path archive = base / (stem + ".backup");
    fs::path target = base / (stem + ".restored");
    REQUIRE(backup(d, archive) == 0);

    SECTION("a data dir with files in it is left alone") {
        REQUIRE(restore(archive, d.data_dir()) != 0);
        CHECK(fs::exists(fs::path(d.data_dir()) / "data.mdb"));
    }
    SECTION("a file that is not a backup leaves nothing behind") {
        fs::path junk = base / (stem + ".junk");
        std::ofstream(junk) << "not a tar file at all";
        CHECK(restore(junk, target) != 0);
        CHECK(fs::is_empty(target));
        fs::remove(junk);
    }
    SECTION("a backup cut short leaves nothing behind") {
        fs::resize_file(archive, fs::file_size(archive) / 2);
        CHECK(restore(archive, target) != 0);
        CHECK(fs::is_empty(target));
    }
    SECTION("backing up a directory with no store fails") {
        fs::create_directories(target);
        CHECK(run_droverd({"backup", (base / (stem + ".none")).string(), "--data-dir", target}) !=
              0);
        CHECK(!fs::exists(base / (stem + ".none")));
    }
    fs::remove_all(target);
    fs::remove(archive);
}
