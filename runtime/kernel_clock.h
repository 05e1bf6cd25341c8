// The running kernel's tick rate (CONFIG_HZ), which the datapath's
// conntrack needs to count ages in jiffies (templates/conntrack.h,
// templates/maps_abi.h POLC_CLOCK_SECTION).
#pragma once

#include <cstdint>

#include "frontend/result.h"

namespace polc::runtime {

// Jiffies per second. The coarse clocks advance once per tick, so their
// resolution is the kernel's TICK_NSEC, 1e9 / HZ rounded: one vDSO call,
// where probing jiffies against a sleep (Cilium's way) takes 100 ms.
Result<uint64_t> kernel_hz();

}  // namespace polc::runtime
