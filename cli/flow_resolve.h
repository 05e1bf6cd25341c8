// From a flow of the flow file to the addresses and packet it stands for
// (CONTRACT §1.3): an endpoint name becomes one of its addresses, the
// family follows the side given as an address, and between two endpoints
// IPv4 comes first.
#pragma once

#include <string>

#include "frontend/flows.h"
#include "ir/endpoints.h"
#include "ir/evaluator.h"
#include "runtime/packet.h"

namespace polc::cli {

struct ResolvedFlow {
  ir::Packet packet;             // for the reference evaluator (with http)
  runtime::PacketSpec spec;      // for the kernel
  std::string error;             // set when the flow cannot be resolved
};

ResolvedFlow resolve_flow(const Flow &flow, const ir::EndpointSet &endpoints);

}  // namespace polc::cli
