//===- scn-opt.cpp - the scn optimizer driver -----------------------------===//
//
// mlir-opt with the scn dialect, its passes and its pipelines.
//
//===----------------------------------------------------------------------===//

#include "scn/Dialect/SCN/IR/SCNOps.h"
#include "scn/Dialect/SCN/Transforms/Passes.h"
#include "scn/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<scn::SCNDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::math::MathDialect,
                  mlir::tensor::TensorDialect>();
  mlir::registerTransformsPasses();
  scn::registerSCNPasses();
  scn::registerPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "scn optimizer driver\n", registry));
}
