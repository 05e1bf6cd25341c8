// compile_bpf_c: clang's cc1 pipeline run inside polc. The source and every
// header live in an in-memory file system rooted at /polc, so the compiler
// cannot see (or depend on) the machine's disk, and the object written to a
// memory buffer never mentions the machine's paths:
//
//   /polc/<file_name>       the main file; the working and debug dir is /polc
//   /polc/<header>          CompileInput::headers (they win over embedded ones)
//   /polc/include/<header>  embedded_headers(): templates and system headers
#include "codegen/bpf_compiler.h"

#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Basic/TargetInfo.h>
#include <clang/CodeGen/BackendUtil.h>
#include <clang/CodeGen/CodeGenAction.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include <memory>
#include <mutex>

#include "codegen/bpf_compiler_args.h"
#include "codegen/bpf_module_trim.h"
#include "codegen/btf_canonical.h"
#include "codegen/embedded_headers.h"

namespace polc::codegen {
namespace {

// Only the BPF backend is needed; registering it is global LLVM state.
void initialize_bpf_target_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTarget();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFAsmPrinter();
  });
}

// Builds the in-memory tree described at the top of this file. addFile
// refuses a second, different file at one path; the caller's headers are
// mounted in their own directory, so only a caller header named like the
// main file could collide, and that is reported.
Result<llvm::IntrusiveRefCntPtr<llvm::vfs::InMemoryFileSystem>> build_file_system(const CompileInput &input) {
  auto fs = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
  fs->setCurrentWorkingDirectory(kVirtualRoot);
  auto add = [&](const std::string &path, std::string_view contents) {
    // A copy: clang wants NUL-terminated buffers it may keep past this call.
    return fs->addFile(path, /*ModificationTime=*/0,
                       llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(contents.data(), contents.size()), path));
  };
  if (!add(std::string(kVirtualRoot) + "/" + input.file_name, input.source))
    return internal_error("cannot mount \"" + input.file_name + "\" in the compiler's file system");
  for (const auto &[name, contents] : input.headers) {
    if (!add(std::string(kVirtualRoot) + "/" + name, contents))
      return internal_error("header \"" + name + "\" is given twice or clashes with \"" + input.file_name + "\"");
  }
  for (const auto &[name, contents] : embedded_headers()) {
    if (!add(std::string(kEmbeddedIncludeDir) + "/" + std::string(name), contents))
      return internal_error("embedded header \"" + std::string(name) + "\" is mounted twice");
  }
  return fs;
}

}  // namespace

Result<std::vector<uint8_t>> compile_bpf_c(const CompileInput &input) {
  initialize_bpf_target_once();

  auto fs = build_file_system(input);
  if (!fs) return fs.error();

  // Every message clang prints (with the offending line and a caret) goes
  // to this string; it is the error's text when compilation fails.
  std::string diagnostics;
  llvm::raw_string_ostream diagnostics_stream(diagnostics);
  auto diag_options = llvm::makeIntrusiveRefCnt<clang::DiagnosticOptions>();
  diag_options->ShowColors = false;
  clang::TextDiagnosticPrinter printer(diagnostics_stream, diag_options.get());
  clang::DiagnosticsEngine arg_diags(llvm::makeIntrusiveRefCnt<clang::DiagnosticIDs>(), diag_options, &printer,
                                     /*ShouldOwnClient=*/false);

  const std::vector<std::string> args = cc1_arguments(input);
  std::vector<const char *> argv;
  argv.reserve(args.size());
  for (const auto &arg : args) argv.push_back(arg.c_str());

  auto invocation = std::make_shared<clang::CompilerInvocation>();
  if (!clang::CompilerInvocation::CreateFromArgs(*invocation, argv, arg_diags)) {
    diagnostics_stream.flush();
    return internal_error("the BPF compiler rejected polc's arguments:\n" + diagnostics);
  }

  // Two steps, so that the module can be trimmed (bpf_module_trim.h) between
  // clang's front end and the optimizer: C to an unoptimized module, then
  // the pipeline clang's EmitObjAction would run, on the trimmed module.
  const bool run_optimizer = !invocation->getCodeGenOpts().DisableLLVMPasses;
  invocation->getCodeGenOpts().DisableLLVMPasses = true;

  // Declared before the compiler instance: the backend writes here until
  // the instance lets go of its output stream. The context outlives the
  // module the action hands over.
  llvm::SmallVector<char, 0> object;
  llvm::LLVMContext context;
  {
    clang::CompilerInstance compiler;
    compiler.setInvocation(std::move(invocation));
    compiler.createDiagnostics(&printer, /*ShouldOwnClient=*/false);
    // "N errors generated." would otherwise go to polc's stderr.
    compiler.setVerboseOutputStream(diagnostics_stream);
    compiler.createFileManager(*fs);

    clang::EmitLLVMOnlyAction action(&context);
    const bool ok = compiler.ExecuteAction(action) && !compiler.getDiagnostics().hasErrorOccurred();
    std::unique_ptr<llvm::Module> module = ok ? action.takeModule() : nullptr;
    if (module) {
      trim_bpf_module(*module);
      clang::CodeGenOptions &codegen = compiler.getInvocation().getCodeGenOpts();
      codegen.DisableLLVMPasses = !run_optimizer;
      clang::EmitBackendOutput(compiler.getDiagnostics(), compiler.getHeaderSearchOpts(), codegen,
                               compiler.getTargetOpts(), compiler.getLangOpts(),
                               compiler.getTarget().getDataLayoutString(), module.get(), clang::Backend_EmitObj,
                               std::make_unique<llvm::raw_svector_ostream>(object));
    }
    printer.finish();
    diagnostics_stream.flush();
    if (!module || compiler.getDiagnostics().hasErrorOccurred())
      return internal_error("generated C failed to compile:\n" + diagnostics);
  }
  std::vector<uint8_t> elf(object.begin(), object.end());
  if (auto canonical = canonicalize_btf_forward_declarations(elf); !canonical) return canonical.error();
  return elf;
}

}  // namespace polc::codegen
