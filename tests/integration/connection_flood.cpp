#include "connection_flood.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace drover::testing {

namespace {

// Descriptors kept free for the test's own clients, droverd's log pipe and the like.
constexpr std::size_t kReserve = 256;
// Connects in flight at once: well under droverd's listen backlog (4096), so no SYN is dropped
// and retried a second later.
constexpr std::size_t kBatch = 512;

std::size_t raise_descriptor_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
    return lim.rlim_cur == RLIM_INFINITY ? SIZE_MAX : static_cast<std::size_t>(lim.rlim_cur);
}

int start_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 || errno == EINPROGRESS)
        return fd;
    close(fd);
    return -1;
}

}  // namespace

ConnectionFlood::ConnectionFlood(int port, std::size_t wanted, std::chrono::seconds budget) {
    std::size_t limit = raise_descriptor_limit();
    std::size_t room = limit > kReserve ? limit - kReserve : 0;
    wanted = std::min(wanted, room);
    attempted_ = wanted;
    const auto until = std::chrono::steady_clock::now() + budget;
    while (open_.size() < wanted && std::chrono::steady_clock::now() < until) {
        std::size_t before = open_.size();
        open_batch(port, std::min(kBatch, wanted - open_.size()), until);
        if (open_.size() == before) break;  // nothing connects any more
    }
}

ConnectionFlood::~ConnectionFlood() {
    for (int fd : open_)
        close(fd);
}

void ConnectionFlood::open_batch(int port, std::size_t count,
                                 std::chrono::steady_clock::time_point until) {
    std::vector<pollfd> pending;
    for (std::size_t i = 0; i < count; ++i) {
        int fd = start_connect(port);
        if (fd < 0) break;
        pending.push_back({fd, POLLOUT, 0});
    }
    while (!pending.empty()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0 ||
            poll(pending.data(), pending.size(), static_cast<int>(left.count())) <= 0)
            break;
        std::vector<pollfd> still;
        for (const pollfd& p : pending) {
            if (p.revents == 0) {
                still.push_back({p.fd, POLLOUT, 0});
                continue;
            }
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err == 0 && (p.revents & (POLLERR | POLLHUP)) == 0)
                open_.push_back(p.fd);
            else
                close(p.fd);
        }
        pending.swap(still);
    }
    for (const pollfd& p : pending)
        close(p.fd);
}

std::size_t ConnectionFlood::still_open() const {
    std::vector<pollfd> polls;
    for (int fd : open_)
        polls.push_back({fd, POLLIN | POLLRDHUP, 0});
    poll(polls.data(), polls.size(), 0);
    return static_cast<std::size_t>(std::count_if(polls.begin(), polls.end(), [](const pollfd& p) {
        return (p.revents & (POLLIN | POLLRDHUP | POLLERR | POLLHUP)) == 0;
    }));
}

}  // namespace drover::testing
