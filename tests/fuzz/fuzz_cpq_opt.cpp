//===- fuzz_cpq_opt.cpp - libFuzzer target: cpq-opt's parse + verify -----===//
//
// The input is .mlir source, parsed as cpq-opt parses it (the cpq dialect,
// std and builtin; no unregistered dialects) and verified (mlir::verify: the
// generated checks and the cpq ops' verifiers). Diagnostics are swallowed.
// What parses and verifies is printed, and the printed text must parse and
// verify again (the custom assembly formats read what they write).
//
//===----------------------------------------------------------------------===//
#include "cpq/dialect/CpqDialect.h"

#include "fuzz_check.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Block.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

/// Parses `text` into `block` and verifies every op (diagnostics go to the handler).
bool parse_and_verify(mlir::MLIRContext &context, llvm::StringRef text, mlir::Block &block) {
  if (mlir::failed(mlir::parseSourceString(text, &block, &context))) return false;
  for (mlir::Operation &op : block)
    if (mlir::failed(mlir::verify(&op))) return false;
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  // MLIR's lexer reads the byte after the buffer (the NUL a MemoryBuffer of
  // a file ends with, as cpq-opt's input does): a std::string has it, the
  // fuzzer's bytes do not.
  const std::string text(reinterpret_cast<const char *>(data), size);
  mlir::DialectRegistry registry;
  registry.insert<cpq::dialect::CpqDialect, mlir::StandardOpsDialect>();
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostics += d.str();
    diagnostics += '\n';
    return mlir::success();
  });
  mlir::Block block;
  if (!parse_and_verify(context, text, block)) {
    fuzz_note("refused:\n" + diagnostics);
    return 0;
  }
  fuzz_note("parsed and verified");
  // The top-level ops are printed under one numbering, as one region's ops:
  // printed one by one, each would name its results from %0 again, and two
  // results would collide ("redefinition of SSA value '%0'"). A module holds
  // them only to scope that numbering; it is neither verified nor printed.
  std::string printed;
  {
    mlir::OwningOpRef<mlir::ModuleOp> scope = mlir::ModuleOp::create(mlir::UnknownLoc::get(&context));
    mlir::Block &body = *scope->getBody();
    body.getOperations().splice(body.end(), block.getOperations());
    mlir::AsmState numbering(scope.get());
    llvm::raw_string_ostream os(printed);
    for (mlir::Operation &op : body) {
      op.print(os, numbering);
      os << "\n";
    }
  }
  diagnostics.clear();
  mlir::Block again;
  FUZZ_CHECK(parse_and_verify(context, printed, again),
             "the printed IR does not parse and verify again:\n" + printed + "\n" + diagnostics);
  return 0;
}
