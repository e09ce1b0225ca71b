// Load tool for droverd's event stream (not a test): opens N SSE streams against a running
// droverd, each filtered to one profile's updates, reports droverd's RSS (from /proc) before and
// after, then measures commit-to-wake-up latency: a param POST on profile i, timed until stream
// i (and only it) receives the event. Usage: event_stream_bench <port> <droverd-pid> [streams]
// with droverd started --insecure-http and an admin token in $DROVER_TOKEN.
// [samples]. The profiles p0..p<N-1> are created first.
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <httplib.h>

using Clock = std::chrono::steady_clock;

namespace {

// "Authorization: Bearer $DROVER_TOKEN\r\n", or nothing.
std::string auth_header() {
    const char* token = std::getenv("DROVER_TOKEN");
    return token ? std::string("Authorization: Bearer ") + token + "\r\n" : "";
}

long rss_kb(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

long mem_used_kb() {
    std::ifstream f("/proc/meminfo");
    std::string key, unit;
    long value = 0, total = 0, available = 0;
    while (f >> key >> value >> unit) {
        if (key == "MemTotal:") total = value;
        if (key == "MemAvailable:") available = value;
    }
    return total - available;
}

int open_stream(int port, const std::string& filter) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    std::string req =
        "GET /api/v3/events?filter=" + filter + " HTTP/1.1\r\nHost: x\r\n" + auth_header() + "\r\n";
    if (send(fd, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) {
        close(fd);
        return -1;
    }
    return fd;
}

// Reads what is there; true when an event frame ("data: ") arrived within `ms`.
bool wait_event(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    std::string got;
    while (Clock::now() < deadline) {
        int left = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
        if (poll(&p, 1, std::max(left, 1)) <= 0) continue;
        char buf[8192];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return false;
        got.append(buf, static_cast<std::size_t>(n));
        if (got.find("data: ") != std::string::npos) return true;
    }
    return false;
}

void drain(int fd) {
    char buf[8192];
    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
}

double pct(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(
            stderr,
            "usage: event_stream_bench <port> <droverd-pid> [streams=10000] [samples=200]\n");
        return 2;
    }
    int port = std::atoi(argv[1]), pid = std::atoi(argv[2]);
    int n = argc > 3 ? std::atoi(argv[3]) : 10000;
    int samples = argc > 4 ? std::atoi(argv[4]) : 200;
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);

    httplib::Client c("127.0.0.1", port);
    c.set_keep_alive(true);
    if (const char* token = std::getenv("DROVER_TOKEN")) c.set_bearer_token_auth(token);
    for (int i = 0; i < n; ++i)
        c.Post("/api/v3/profiles", "{\"Name\":\"p" + std::to_string(i) + "\"}", "application/json");
    long rss_before = rss_kb(pid), mem_before = mem_used_kb();
    std::vector<int> fds;
    for (int i = 0; i < n; ++i)
        fds.push_back(open_stream(port, "profiles.update.p" + std::to_string(i)));
    int opened =
        static_cast<int>(std::count_if(fds.begin(), fds.end(), [](int fd) { return fd >= 0; }));
    sleep(2);  // let every stream attach
    for (int fd : fds)
        if (fd >= 0) drain(fd);
    long rss_after = rss_kb(pid), mem_after = mem_used_kb();

    std::vector<double> latency_us;
    int misses = 0, strays = 0;
    for (int s = 0; s < samples; ++s) {
        int i = (s * 7919) % n;
        auto t0 = Clock::now();
        auto r = c.Post("/api/v3/profiles/p" + std::to_string(i) + "/params/bench-counter",
                        std::to_string(s), "application/json");
        auto t_ack = Clock::now();
        if (!r || r->status != 200 || fds[i] < 0 || !wait_event(fds[i], 5000)) {
            ++misses;
            continue;
        }
        auto t_wake = Clock::now();
        latency_us.push_back(std::chrono::duration<double, std::micro>(t_wake - t_ack).count());
        (void)t0;
        int other = (i + 1) % n;  // a neighbour must not be woken
        if (fds[other] >= 0 && wait_event(fds[other], 0)) ++strays;
    }
    std::printf("streams opened: %d of %d\n", opened, n);
    std::printf("droverd RSS: %ld kB before, %ld kB with the streams (%.2f kB per stream)\n",
                rss_before, rss_after,
                opened ? static_cast<double>(rss_after - rss_before) / opened : 0.0);
    std::printf("memory used system-wide: %ld MB before, %ld MB with the streams\n",
                mem_before / 1024, mem_after / 1024);
    std::printf(
        "notify one stream, after the write's 2xx: p50 %.0f us, p99 %.0f us, max %.0f us (%zu "
        "samples)\n",
        pct(latency_us, 0.5), pct(latency_us, 0.99), pct(latency_us, 1.0), latency_us.size());
    std::printf("missed events: %d, events at a stream whose filter did not match: %d\n", misses,
                strays);
    for (int fd : fds)
        if (fd >= 0) close(fd);
    return misses == 0 && strays == 0 ? 0 : 1;
}
