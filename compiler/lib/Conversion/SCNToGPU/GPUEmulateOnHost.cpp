//===- GPUEmulateOnHost.cpp - the scn-gpu-emulate-on-host pass -----------===//
//
// Test support: the output of scn-gpu-offload with its GPU memory ops turned
// back into host ones, so that the CPU lowering runs the CUDA pipeline's
// host decisions and kernels without a GPU (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "scn/Conversion/Passes.h"
#include "scn/Conversion/TensorCores.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

#include <cstring>

namespace scn {
#define GEN_PASS_DEF_SCNGPUEMULATEONHOST
#include "scn/Conversion/Passes.h.inc"
} // namespace scn

using namespace mlir;

namespace {

/// memref.copy from `src` to `dst`, skipped when `dst` is null: a result
/// buffer that could not be allocated (scn_cg_result_buffer) abandons a
/// call through Model.h (runtime/lib/CPU/GeneratedCall.h), and outside one
/// has already failed the run with an out-of-memory error, which the
/// caller gets; a GPU run's DMA into it reports the same error instead of
/// faulting.
void copyUnlessNull(OpBuilder &b, Location loc, Value src, Value dst) {
  Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, dst);
  Value present = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, address,
                                        arith::ConstantIndexOp::create(b, loc, 0));
  scf::IfOp::create(b, loc, present, [&](OpBuilder &then, Location at) {
    memref::CopyOp::create(then, at, src, dst);
    scf::YieldOp::create(then, at);
  });
}

struct SCNGPUEmulateOnHostPass
    : scn::impl::SCNGPUEmulateOnHostBase<SCNGPUEmulateOnHostPass> {
  void runOnOperation() override {
    SmallVector<Operation *> gpuOps;
    getOperation().walk([&](Operation *op) {
      if (isa<gpu::AllocOp, gpu::MemcpyOp, gpu::DeallocOp, gpu::WaitOp>(op))
        gpuOps.push_back(op);
    });
    // The kernels' correctly rounded square roots are libm's on the host.
    SmallVector<LLVM::CallIntrinsicOp> roots;
    getOperation().walk([&](LLVM::CallIntrinsicOp call) {
      if (call.getIntrin() == scn::kRoundedSqrtIntrinsic)
        roots.push_back(call);
    });
    for (LLVM::CallIntrinsicOp call : roots) {
      OpBuilder at(call);
      Value root = math::SqrtOp::create(at, call.getLoc(), call.getArgs().front());
      call.getResult(0).replaceAllUsesWith(root);
      call.erase();
    }
    OpBuilder b(&getContext());
    for (Operation *op : gpuOps) {
      b.setInsertionPoint(op);
      if (auto alloc = dyn_cast<gpu::AllocOp>(op)) {
        Value host = memref::AllocOp::create(b, op->getLoc(), alloc.getType(),
                                             alloc.getDynamicSizes(),
                                             alloc.getSymbolOperands());
        alloc.getMemref().replaceAllUsesWith(host);
      } else if (auto copy = dyn_cast<gpu::MemcpyOp>(op)) {
        copyUnlessNull(b, op->getLoc(), copy.getSrc(), copy.getDst());
      } else if (auto dealloc = dyn_cast<gpu::DeallocOp>(op)) {
        memref::DeallocOp::create(b, op->getLoc(), dealloc.getMemref());
      }
    }
    // The run's GPU copies of runtime arrays become host copies of exactly
    // the size the lowering asked for, and device geometry (scn_cg_gpu_X)
    // the CPU runtime's (scn_cg_X, same arguments).
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> declarations;
    for (auto f : module.getOps<func::FuncOp>())
      if (f.isExternal() && (f.getName() == "scn_cg_device_copy" ||
                             f.getName().starts_with("scn_cg_gpu_")))
        declarations.push_back(f);
    for (func::FuncOp gpuFn : declarations) {
      std::string hostName =
          gpuFn.getName() == "scn_cg_device_copy"
              ? std::string("scn_cg_host_copy")
              : "scn_cg_" + gpuFn.getName().drop_front(strlen("scn_cg_gpu_")).str();
      std::string gpuName = gpuFn.getName().str();
      module.walk([&](func::CallOp call) {
        if (call.getCallee() == gpuName)
          call.setCallee(hostName);
      });
      if (module.lookupSymbol<func::FuncOp>(hostName))
        gpuFn.erase();
      else
        gpuFn.setName(hostName);
    }
    // Tokens only order these ops among themselves: drop users first.
    for (Operation *op : llvm::reverse(gpuOps)) {
      op->dropAllUses();
      op->erase();
    }
  }
};

} // namespace
