//===- scn_opt_fuzzer.cpp - libFuzzer target over scn-opt's input path ----===//
//
// Arbitrary bytes -> parse as MLIR -> verify -> the graph-level CPU pipeline
// (canonicalize, scn-fold-batchnorm, scn-fuse-epilogue,
// scn-materialize-kernel-maps, cse) -> verify again. Errors are expected and
// swallowed; what the fuzzer looks for is a crash, a sanitizer report, a hang
// or a pass that leaves invalid IR behind (reported as a crash via abort).
//
//===----------------------------------------------------------------------===//

#include "scn/Dialect/SCN/IR/SCNOps.h"
#include "scn/Dialect/SCN/Transforms/Passes.h"
#include "scn/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <cstdlib>
#include <string>

static mlir::MLIRContext &getContext() {
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    registry.insert<scn::SCNDialect, mlir::func::FuncDialect,
                    mlir::arith::ArithDialect, mlir::math::MathDialect,
                    mlir::tensor::TensorDialect>();
    auto *ctx = new mlir::MLIRContext(registry,
                                      mlir::MLIRContext::Threading::DISABLED);
    ctx->loadAllAvailableDialects();
    // Diagnostics are the expected outcome of most inputs: drop them.
    ctx->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
    return ctx;
  }();
  return *context;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &context = getContext();
  std::string source(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return 0;
  mlir::PassManager pm(&context);
  scn::buildGraphPipeline(pm, scn::GraphPipelineOptions());
  // The pass manager verifies after each pass: a pass that breaks valid IR
  // is a bug, so make it loud.
  if (mlir::failed(pm.run(*module)))
    std::abort();
  return 0;
}
