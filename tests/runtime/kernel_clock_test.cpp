// runtime::kernel_hz against the kernel's own jiffies counter: the rate
// conntrack ages count in (templates/conntrack.h).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "runtime/kernel_clock.h"
#include "tests/support/test_env.h"

using namespace polc;

namespace {

// "jiffies: N" of /proc/timer_list (root only).
std::optional<uint64_t> jiffies_now() {
  std::ifstream in("/proc/timer_list");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("jiffies: ", 0) == 0) return std::stoull(line.substr(9));
  return std::nullopt;
}

}  // namespace

TEST_SUITE("runtime") {
  TEST_CASE("kernel_hz is the rate at which the kernel's jiffies advance") {
    auto hz = runtime::kernel_hz();
    REQUIRE_MESSAGE(hz.ok(), (hz.ok() ? "" : hz.error().message));
    // The values CONFIG_HZ takes on x86 and arm64.
    CHECK((*hz == 100 || *hz == 250 || *hz == 300 || *hz == 1000));
    if (!test::bpf_tests_enabled()) return;  // /proc/timer_list is root's
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const auto j0 = jiffies_now();
    REQUIRE(j0);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    const auto j1 = jiffies_now();
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    REQUIRE(j1);
    const double rate = double(*j1 - *j0) / seconds;
    INFO("jiffies advanced " << (*j1 - *j0) << " in " << seconds << " s");
    // A tick or two of slack at either end of the interval.
    CHECK(rate > 0.9 * double(*hz));
    CHECK(rate < 1.1 * double(*hz));
  }
}
