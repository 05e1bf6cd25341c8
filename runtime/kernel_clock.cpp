#include "runtime/kernel_clock.h"

#include <time.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace polc::runtime {

Result<uint64_t> kernel_hz() {
  timespec res{};
  if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) != 0)
    return environment_error(std::string("cannot read the kernel's tick (clock_getres: ") + std::strerror(errno) + ")");
  const uint64_t tick_ns = uint64_t(res.tv_sec) * 1000000000ull + uint64_t(res.tv_nsec);
  // CONFIG_HZ is between 24 and 1,200 on every architecture Linux has.
  if (tick_ns < 500000 || tick_ns > 50000000)
    return environment_error("cannot tell the kernel's tick rate: the coarse clock's resolution is " +
                             std::to_string(tick_ns) + " ns");
  return (1000000000ull + tick_ns / 2) / tick_ns;
}

}  // namespace polc::runtime
