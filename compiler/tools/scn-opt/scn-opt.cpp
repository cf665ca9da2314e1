//===- scn-opt.cpp - the scn optimizer driver -----------------------------===//
//
// mlir-opt with the scn dialect, its passes and its pipelines, plus every
// upstream dialect and pass the pipelines lower through.
//
//===----------------------------------------------------------------------===//

#include "scn/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  scn::registerCompilerDialects(registry);
  scn::registerCompilerPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "scn optimizer driver\n", registry));
}
