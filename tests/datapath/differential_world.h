// What the differential tests share: a random world (tests/support/
// random_policy.h) read through the real readers, and its packets in the
// reference evaluator's and the kernel's forms.
#pragma once

#include <cstdint>
#include <string>

#include "frontend/diagnostics.h"
#include "ir/endpoints.h"
#include "ir/evaluator.h"
#include "ir/ir.h"
#include "runtime/packet.h"
#include "tests/support/random_policy.h"

namespace polc::test {

uint64_t env_number(const char *name, uint64_t fallback);

struct LoadedWorld {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  ir::Policy policy;
  ir::EndpointSet endpoints;

  std::string messages() const;
};

// False (with the reader's messages in `out`) when the generator wrote
// something the readers refuse: a bug of the generator, reported as such.
bool load_world(const RandomWorld &world, LoadedWorld &out);

ir::Packet reference_packet(const RandomPacket &p);
runtime::PacketSpec kernel_packet(const RandomPacket &p);

}  // namespace polc::test
