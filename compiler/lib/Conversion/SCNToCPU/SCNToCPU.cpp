//===- SCNToCPU.cpp - the convert-scn-to-cpu pass -------------------------===//
//
// Walks each function in program order and lowers every scn op with the
// op-family lowerings (GeometryLowering, ConvolutionLowering,
// PointwiseLowering). Sites and kernel-map values become !llvm.ptr handles
// owned by the run (scn/Runtime/Codegen.h); tensors cross through
// bufferization.to_buffer/to_tensor.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "scn/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace scn {
#define GEN_PASS_DEF_CONVERTSCNTOCPU
#include "scn/Conversion/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn;
using namespace scn::cpu;

namespace {

bool isGeometryType(Type type) { return isa<SitesType, KernelMapType>(type); }

/// The caller's arrays are inputs: bufferization must not reuse them for
/// results computed in place (a batch norm's var + eps, then its square
/// root, written over running_var), or each call would change the
/// parameters of the next.
void markArgumentsReadOnly(func::FuncOp func) {
  Builder b(func.getContext());
  for (BlockArgument arg : func.getArguments())
    if (isa<TensorType>(arg.getType()))
      func.setArgAttr(arg.getArgNumber(),
                      bufferization::BufferizationDialect::kWritableAttrName,
                      b.getBoolAttr(false));
}

LogicalResult lowerFunction(ModuleLoweringState &state, func::FuncOp func) {
  SmallVector<Operation *> scnOps;
  func.walk([&](Operation *op) {
    if (isa<SCNDialect>(op->getDialect()))
      scnOps.push_back(op);
  });
  if (scnOps.empty()) {
    // An entry without scn ops (one that returns its arguments, say) keeps
    // the entry ABI all the same: the run comes first, as callers pass it
    // (scn_model_run); without it they would write the results over the
    // arguments' words. A function that others call is a helper, not an
    // entry: its calls keep their arguments.
    if (!func.isPublic() || func.isExternal() ||
        !SymbolTable::symbolKnownUseEmpty(func, func->getParentOp()))
      return success();
    if (failed(func.insertArgument(0, LLVM::LLVMPointerType::get(func.getContext()), {},
                                   func.getLoc())))
      return func.emitError() << "cannot add the run argument";
    markArgumentsReadOnly(func);
    return success();
  }
  for (BlockArgument arg : func.getArguments())
    if (isGeometryType(arg.getType()))
      return func.emitError()
             << "argument #" << arg.getArgNumber()
             << " is an scn sites or kernel-map value: compiled functions build "
                "their geometry from coordinates (scn.input), they cannot "
                "receive it";
  if (!func.getBody().hasOneBlock())
    return func.emitError() << "the CPU lowering handles single-block functions";

  // The run (scn_run_t) of the invocation is the new first argument.
  Type ptrType = LLVM::LLVMPointerType::get(func.getContext());
  if (failed(func.insertArgument(0, ptrType, {}, func.getLoc())))
    return func.emitError() << "cannot add the run argument";
  Value run = func.getArgument(0);

  ImplicitLocOpBuilder b(func.getLoc(), func.getContext());
  KernelBuilder kb(state, b, run);
  for (Operation *op : scnOps) {
    b.setInsertionPoint(op);
    b.setLoc(op->getLoc());
    kb.beginOp(op);
    bool handled = false;
    for (auto lower : {lowerGeometryOp, lowerConvolutionOp, lowerPoolingOp,
                       lowerPointwiseOp}) {
      if (failed(lower(kb, op, handled)))
        return failure();
      if (handled)
        break;
    }
    if (!handled)
      return op->emitOpError() << "has no CPU lowering";
  }
  // Geometry values may only feed scn ops (all lowered now).
  for (Operation *op : scnOps)
    for (Value result : op->getResults())
      for (Operation *user : result.getUsers())
        if (!isa<SCNDialect>(user->getDialect()))
          return user->emitOpError()
                 << "uses an scn geometry value, which compiled code keeps in "
                    "the runtime";
  for (Operation *op : llvm::reverse(scnOps)) {
    op->dropAllUses();
    op->erase();
  }
  markArgumentsReadOnly(func);
  return success();
}

struct ConvertSCNToCPUPass
    : scn::impl::ConvertSCNToCPUBase<ConvertSCNToCPUPass> {
  void runOnOperation() override {
    if (failed(lowerSCNModule(getOperation(), /*forGPU=*/false)))
      signalPassFailure();
  }
};

} // namespace

LogicalResult scn::cpu::lowerSCNModule(ModuleOp module, bool forGPU,
                                       bool deviceGeometry, bool emulateWarps,
                                       Type activationType, bool neighbourMasks,
                                       bool tablePrefetch) {
  ModuleLoweringState state{module, {}, 0, forGPU, deviceGeometry, emulateWarps,
                            activationType, neighbourMasks, tablePrefetch};
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  for (func::FuncOp func : funcs)
    if (failed(lowerFunction(state, func)))
      return failure();
  return success();
}
