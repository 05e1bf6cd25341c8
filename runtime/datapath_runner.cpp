#include "runtime/datapath_runner.h"

#include <bpf/bpf.h>
#include <linux/pkt_cls.h>

#include <vector>

#include "runtime/policy_maps.h"
#include "templates/maps_abi.h"

namespace polc::runtime {

Result<DatapathRunner> DatapathRunner::create(const std::vector<uint8_t> &tc_elf, const ir::MapPlan &plan) {
  auto object = BpfObject::open_memory(tc_elf, "polc");
  if (!object) return object.error();
  if (auto loaded = object->load(); !loaded) return loaded.error();
  if (auto filled = fill_policy_maps(object.value(), plan); !filled) return filled.error();
  DatapathRunner runner(std::move(object).value());
  runner.ingress_fd_ = runner.object_.program_fd("polc_ingress");
  runner.egress_fd_ = runner.object_.program_fd("polc_egress");
  if (runner.ingress_fd_ < 0 || runner.egress_fd_ < 0)
    return internal_error("the tc object lacks polc_ingress or polc_egress");
  return runner;
}

namespace {

// Each flow is judged on its own: a flow must not pass as the reply of a
// connection an earlier flow opened.
void forget_connections(int ct_fd) {
  if (ct_fd < 0) return;
  std::vector<uint8_t> key(sizeof(polc_ct_key));
  while (bpf_map_get_next_key(ct_fd, nullptr, key.data()) == 0)
    if (bpf_map_delete_elem(ct_fd, key.data()) != 0) break;
}

}  // namespace

Result<DatapathVerdict> DatapathRunner::run(const std::vector<uint8_t> &frame) const {
  forget_connections(object_.map_fd("polc_ct"));
  DatapathVerdict v;
  auto egress = test_run(egress_fd_, frame);
  if (!egress) return egress.error();
  v.egress_allowed = egress->retval == TC_ACT_OK;
  auto ingress = test_run(ingress_fd_, frame);
  if (!ingress) return ingress.error();
  v.ingress_allowed = ingress->retval == TC_ACT_OK;
  return v;
}

}  // namespace polc::runtime
