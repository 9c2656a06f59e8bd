//===- test_mlir_halide_link.cpp - MLIR and Halide in one process ----------===//
//
// Proves the two heavy dependencies link into one process (design.md: they
// share libLLVM-14): parse and verify a .mlir string with MLIR 14, and
// JIT-compile and run a Halide 14 Func computing the same thing.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE mlir_halide_link
#include <boost/test/unit_test.hpp>

#include <Halide.h>

#include <mlir/Dialect/Arithmetic/IR/Arithmetic.h>
#include <mlir/Dialect/StandardOps/IR/Ops.h>
#include <mlir/IR/BuiltinOps.h>
#include <mlir/IR/Diagnostics.h>
#include <mlir/IR/MLIRContext.h>
#include <mlir/IR/Verifier.h>
#include <mlir/Parser.h>

#include <string>

namespace {
const char *kScaleAdd = R"mlir(
func @scale_add(%x: f32, %y: f32) -> f32 {
  %c = arith.constant 3.0 : f32
  %m = arith.mulf %x, %c : f32
  %r = arith.addf %m, %y : f32
  return %r : f32
}
)mlir";

mlir::OwningOpRef<mlir::ModuleOp> parse(mlir::MLIRContext &ctx, const char *text, std::string &diag) {
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    diag += d.str();
    return mlir::success();
  });
  return mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
}
} // namespace

BOOST_AUTO_TEST_CASE(mlir_parses_and_halide_runs_in_one_process) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::StandardOpsDialect, mlir::arith::ArithmeticDialect>();
  std::string diag;
  auto module = parse(ctx, kScaleAdd, diag);
  BOOST_TEST_REQUIRE(static_cast<bool>(module), "parse failed: " << diag);
  BOOST_TEST(mlir::succeeded(mlir::verify(*module)));
  int muls = 0, adds = 0;
  module->walk([&](mlir::Operation *op) {
    muls += op->getName().getStringRef() == "arith.mulf";
    adds += op->getName().getStringRef() == "arith.addf";
  });
  BOOST_TEST(muls == 1);
  BOOST_TEST(adds == 1);

  // The same function as a Halide pipeline over 1000 elements, JIT-compiled.
  Halide::Buffer<float> x(1000), y(1000);
  for (int i = 0; i < 1000; ++i) x(i) = 0.5f * i, y(i) = -1.0f * i;
  Halide::Func f("scale_add");
  Halide::Var i("i");
  f(i) = x(i) * 3.0f + y(i);
  f.vectorize(i, 8);
  Halide::Buffer<float> out = f.realize({1000}, Halide::get_jit_target_from_environment());
  for (int k = 0; k < 1000; ++k) BOOST_TEST_REQUIRE(out(k) == 0.5f * k * 3.0f - 1.0f * k);
}

BOOST_AUTO_TEST_CASE(malformed_mlir_gives_a_diagnostic) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::StandardOpsDialect, mlir::arith::ArithmeticDialect>();
  std::string diag;
  auto module = parse(ctx, "func @f(%x: f32) -> f32 { return %y : f32 }", diag);
  BOOST_TEST(!module);
  BOOST_TEST(diag.find("undeclared") != std::string::npos, diag);
}

BOOST_AUTO_TEST_CASE(halide_reports_compile_errors_as_exceptions) {
  Halide::Func f("bad");
  Halide::Var i("i");
  f(i) = i;
  // Realizing an undefined Func is an error Halide reports, not a crash.
  Halide::Func undefined("undefined");
  BOOST_CHECK_THROW(undefined.realize({4}), Halide::Error);
}
