#include "runtime/datapath_runner.h"

#include <linux/pkt_cls.h>

#include "runtime/policy_maps.h"

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

Result<DatapathVerdict> DatapathRunner::run(const std::vector<uint8_t> &frame) const {
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
