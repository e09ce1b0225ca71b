// A test-only LD_PRELOAD library: the process (and its children, which inherit LD_PRELOAD) reads
// a wall clock DROVER_CLOCK_SKEW_SECONDS (signed) away from the host's, as on a machine whose
// clock is wrong. The clock-skew tests run the real `drover` under it against an unskewed droverd
// on the same host, without root, a VM or a dependency (libfaketime does more than this needs).
// Only the wall clock moves (clock_gettime's CLOCK_REALTIME family, gettimeofday, time); the
// monotonic clocks do not, as on a real machine. Not shifted: absolute CLOCK_REALTIME deadlines
// handed to the kernel (pthread_cond_timedwait, timerfd, TIMER_ABSTIME sleeps), which drover
// does not use.
#include <dlfcn.h>
#include <sys/time.h>
#include <time.h>

#include <cstdlib>

namespace {

using ClockGettime = int (*)(clockid_t, timespec*);

ClockGettime real_clock_gettime() {
    static const auto real = reinterpret_cast<ClockGettime>(dlsym(RTLD_NEXT, "clock_gettime"));
    return real;
}

time_t skew() {
    static const time_t seconds = [] {
        const char* text = std::getenv("DROVER_CLOCK_SKEW_SECONDS");
        return text ? static_cast<time_t>(std::strtoll(text, nullptr, 10)) : time_t{0};
    }();
    return seconds;
}

bool is_wall_clock(clockid_t id) {
    return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI;
}

}  // namespace

extern "C" int clock_gettime(clockid_t id, timespec* ts) noexcept {
    const int rc = real_clock_gettime()(id, ts);
    if (rc == 0 && is_wall_clock(id)) ts->tv_sec += skew();
    return rc;
}

extern "C" int gettimeofday(timeval* __restrict tv, void* __restrict) noexcept {
    timespec now{};
    if (clock_gettime(CLOCK_REALTIME, &now) != 0) return -1;
    tv->tv_sec = now.tv_sec;
    tv->tv_usec = static_cast<suseconds_t>(now.tv_nsec / 1000);
    return 0;
}

extern "C" time_t time(time_t* out) noexcept {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    if (out) *out = now.tv_sec;
    return now.tv_sec;
}
