// Edits made to the LLVM module of a BPF program between clang's front end
// and the optimizer, so that only what the kernel reads is computed:
//
// - Variable locations (llvm.dbg.declare / llvm.dbg.value) are dropped.
//   BTF takes its types from the globals' and functions' debug info and its
//   line info from each instruction's DILocation, never from variable
//   locations: .BTF is byte-identical and the code too (checked on sample
//   01), and of its 1,190 line-info records 1,180 are the same (the others
//   are a few instructions attributed to a neighbouring line, or to none).
//   Every optimization pass and the backend stop carrying thousands of
//   intrinsics along (about 15% of the compile time of a datapath).
// - No DWARF is emitted. The kernel reads BTF only; the DWARF of a datapath
//   was 85% of its object (the embedded sources in .debug_line_str) and a
//   good part of the assembly printer's time. LLVM's AsmPrinter writes
//   DWARF unless the module asks for CodeView without a DWARF version, and
//   the BPF AsmPrinter writes BTF whenever there is debug info: the module
//   flags are set so.
#pragma once

namespace llvm {
class Module;
}

namespace polc::codegen {

void trim_bpf_module(llvm::Module &module);

}  // namespace polc::codegen
