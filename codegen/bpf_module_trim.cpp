#include "codegen/bpf_module_trim.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Module.h>

#include <vector>

namespace polc::codegen {
namespace {

void drop_variable_locations(llvm::Module &module) {
  std::vector<llvm::Instruction *> doomed;
  for (llvm::Function &function : module)
    for (llvm::BasicBlock &block : function)
      for (llvm::Instruction &inst : block)
        if (llvm::isa<llvm::DbgVariableIntrinsic>(inst)) doomed.push_back(&inst);
  for (llvm::Instruction *inst : doomed) inst->eraseFromParent();
}

// The flags AsmPrinter::doInitialization reads: "CodeView" set and no
// "Dwarf Version" means no DwarfDebug handler; BTFDebug does not look.
void emit_btf_without_dwarf(llvm::Module &module) {
  llvm::NamedMDNode *flags = module.getModuleFlagsMetadata();
  if (!flags) return;
  std::vector<llvm::MDNode *> kept;
  for (llvm::MDNode *flag : flags->operands()) {
    auto *key = flag->getNumOperands() > 1 ? llvm::dyn_cast<llvm::MDString>(flag->getOperand(1)) : nullptr;
    if (!key || key->getString() != "Dwarf Version") kept.push_back(flag);
  }
  flags->clearOperands();
  for (llvm::MDNode *flag : kept) flags->addOperand(flag);
  module.addModuleFlag(llvm::Module::Warning, "CodeView", 1);
}

}  // namespace

void trim_bpf_module(llvm::Module &module) {
  if (module.debug_compile_units().empty()) return;
  drop_variable_locations(module);
  emit_btf_without_dwarf(module);
}

}  // namespace polc::codegen
