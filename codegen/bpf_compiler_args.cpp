#include "codegen/bpf_compiler_args.h"

namespace polc::codegen {

std::vector<std::string> cc1_arguments(const CompileInput &input) {
  std::vector<std::string> args = {
      "-triple", "bpfel-unknown-none",
      // v3: 32-bit sub-registers and jumps (kernels >= 5.1), fewer insns.
      "-target-cpu", "v3",
      "-emit-obj",
      "-O" + std::to_string(input.opt_level),
      // Headers come from the in-memory tree only: no /usr/include, no
      // clang resource directory, no hosted libc assumptions.
      "-nostdsysteminc", "-nobuiltininc", "-ffreestanding",
      "-I", kVirtualRoot,
      "-I", kEmbeddedIncludeDir,
      // Reproducible objects: no "clang version" .comment, and debug info
      // names the virtual directory, never the machine's.
      "-Qn",
      "-fdebug-compilation-dir=" + std::string(kVirtualRoot),
      "-fcoverage-compilation-dir=" + std::string(kVirtualRoot),
      "-main-file-name", input.file_name,
      "-fgnuc-version=4.2.1",
      "-ferror-limit", "20",
  };
  if (input.debug_info) {
    // BTF and its line info come from the debug info the BPF backend sees.
    // The backend copies each source line into BTF (the verifier prints it)
    // from the source embedded in the debug info; without -gembed-source it
    // would read the file from the disk, where /polc/... does not exist.
    args.insert(args.end(),
                {"-debug-info-kind=constructor", "-dwarf-version=5", "-debugger-tuning=gdb", "-gembed-source"});
  }
  for (const auto &define : input.defines) args.push_back("-D" + define);
  args.insert(args.end(), {"-x", "c", input.file_name});
  return args;
}

}  // namespace polc::codegen
