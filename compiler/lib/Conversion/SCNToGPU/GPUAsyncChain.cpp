//===- GPUAsyncChain.cpp - the scn-gpu-async-chain pass -------------------===//
//
// After gpu-kernel-outlining, the host code of scn-gpu-offload launches
// every kernel synchronously and waits for every allocation, copy and free:
// a host round trip (stream create, synchronize, destroy) per GPU op, some
// 400 of them in W1. This pass threads the GPU ops of each block into one
// chain of async ops, which gpu-to-llvm puts on one stream, and keeps a
// host wait only where the host needs the chain's results (see Passes.td).
//
// Upstream's gpu-async-region does the threading but waits before every op
// with side effects (every runtime call, every host loop) and expects no
// async op in its input; here the waits are decided by the buffers each
// host op touches.
//
//===----------------------------------------------------------------------===//

#include "BufferRoots.h"
#include "DeviceBuffers.h"
#include "scn/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"

namespace scn {
#define GEN_PASS_DEF_SCNGPUASYNCCHAIN
#include "scn/Conversion/Passes.h.inc"
} // namespace scn

using namespace mlir;
using scn::gpu_buffers::rootBuffer;

namespace {

/// The runtime function that waits for the GPU before host code touches
/// managed memory, on GPUs without concurrent managed access only.
constexpr llvm::StringLiteral kBeforeHostAccess = "scn_gpu_before_host_access";

/// The buffers a host op reads and writes, or unknown effects.
struct HostAccess {
  llvm::SmallDenseSet<Value, 4> reads, writes;
  bool unknown = false;
};

/// Whether `call` is one of the runtime's scn_cg_gpu_ functions: geometry,
/// which touches runtime-owned arrays and the buffers whose pointers it
/// takes, and whose GPU work the chain's next launch, copy, memset or free
/// waits for on the GPU (the runtime's fences of the geometry stream), and
/// the result buffers (scn_cg_gpu_result_buffer), which touch no GPU memory
/// at all.
bool isGeometryCall(func::CallOp call) {
  return call.getCallee().starts_with("scn_cg_gpu_");
}

/// Whether `root` is a buffer the analysis can name: an allocation, a
/// global, a parameter's device copy or an argument of the function. A
/// memref yielded by a region or a block argument of one could be any
/// buffer.
bool isNamedBuffer(Value root) {
  if (auto arg = dyn_cast<BlockArgument>(root))
    return arg.getOwner()->isEntryBlock() &&
           isa<func::FuncOp>(arg.getOwner()->getParentOp());
  Operation *def = root.getDefiningOp();
  return isa<gpu::AllocOp, memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp,
             UnrealizedConversionCastOp>(def);
}

/// Whether `v` points into a host stack slot that scn-gpu-prepare-parameters
/// made for its runtime call (an llvm.alloca marked kHostSlotAttr, through
/// GEPs), which no GPU op touches.
bool isHostStackSlot(Value v) {
  while (auto gep = v.getDefiningOp<LLVM::GEPOp>())
    v = gep.getBase();
  auto alloca = v.getDefiningOp<LLVM::AllocaOp>();
  return alloca && alloca->hasAttr(scn::gpu_buffers::kHostSlotAttr);
}

/// What a pointer operand of a geometry call points into: the buffer of
/// `memref.extract_aligned_pointer_as_index` (through index casts and
/// llvm.inttoptr); runtime-owned memory (the run handle, another geometry
/// call's result, a global of the module, a host stack slot); or, for
/// anything else, unknown.
enum class PointerKind { Buffer, RuntimeOwned, Unknown };
PointerKind classifyPointer(Value v, Value &buffer) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto extract = dyn_cast<memref::ExtractAlignedPointerAsIndexOp>(def)) {
      buffer = rootBuffer(extract.getSource());
      return isNamedBuffer(buffer) ? PointerKind::Buffer : PointerKind::Unknown;
    }
    if (auto call = dyn_cast<func::CallOp>(def))
      return isGeometryCall(call) ? PointerKind::RuntimeOwned : PointerKind::Unknown;
    if (isa<LLVM::AddressOfOp, LLVM::ZeroOp>(def) || isHostStackSlot(v))
      return PointerKind::RuntimeOwned;
    if (!isa<LLVM::IntToPtrOp, arith::IndexCastOp, arith::IndexCastUIOp>(def))
      return PointerKind::Unknown;
    v = def->getOperand(0);
  }
  auto arg = cast<BlockArgument>(v);
  bool runHandle = arg.getArgNumber() == 0 && arg.getOwner()->isEntryBlock() &&
                   isa<func::FuncOp>(arg.getOwner()->getParentOp());
  return runHandle ? PointerKind::RuntimeOwned : PointerKind::Unknown;
}

/// What `op` and the ops nested in it read and write on the host.
HostAccess hostAccessOf(Operation *op) {
  HostAccess access;
  op->walk([&](Operation *inner) {
    if (auto call = dyn_cast<func::CallOp>(inner)) {
      // Any call but a geometry one may touch anything; so may a geometry
      // call given a pointer the analysis cannot follow.
      if (!isGeometryCall(call)) {
        access.unknown = true;
        return WalkResult::interrupt();
      }
      for (Value operand : call.getOperands()) {
        Value buffer;
        if (isa<BaseMemRefType>(operand.getType())) {
          buffer = rootBuffer(operand);
          if (!isNamedBuffer(buffer))
            access.unknown = true;
        } else if (isa<LLVM::LLVMPointerType>(operand.getType())) {
          PointerKind kind = classifyPointer(operand, buffer);
          if (kind == PointerKind::Unknown)
            access.unknown = true;
          if (kind != PointerKind::Buffer)
            buffer = {};
        }
        if (access.unknown)
          return WalkResult::interrupt();
        if (buffer) {
          access.reads.insert(buffer);
          access.writes.insert(buffer);
        }
      }
      return WalkResult::advance();
    }
    if (inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    auto effecting = dyn_cast<MemoryEffectOpInterface>(inner);
    if (!effecting) {
      access.unknown = true;
      return WalkResult::interrupt();
    }
    SmallVector<MemoryEffects::EffectInstance> effects;
    effecting.getEffects(effects);
    for (const MemoryEffects::EffectInstance &effect : effects) {
      if (isa<MemoryEffects::Allocate>(effect.getEffect()))
        continue;
      Value value = effect.getValue();
      if (value && isa<LLVM::LLVMPointerType>(value.getType()) && isHostStackSlot(value))
        continue;
      Value root = value && isa<BaseMemRefType>(value.getType()) ? rootBuffer(value) : Value();
      if (!root || !isNamedBuffer(root)) {
        access.unknown = true;
        return WalkResult::interrupt();
      }
      if (isa<MemoryEffects::Read>(effect.getEffect()))
        access.reads.insert(root);
      else
        access.writes.insert(root);
    }
    return WalkResult::advance();
  });
  return access;
}

bool isManaged(Value buffer) {
  auto alloc = buffer.getDefiningOp<gpu::AllocOp>();
  return alloc && alloc.getHostShared();
}

/// The chain of one block: its last token and the buffers its pending ops
/// read and write.
class Chain {
public:
  Chain(Block &block, func::FuncOp beforeHostAccess)
      : block(block), beforeHostAccess(beforeHostAccess) {}

  /// Fails (with an error on the op) on GPU ops of another shape than
  /// scn-gpu-offload's: the pass would otherwise have to guess their order.
  LogicalResult run() {
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (auto wait = dyn_cast<gpu::WaitOp>(&op)) {
        if (failed(visitWait(wait)))
          return failure();
        continue;
      }
      if (auto alloc = dyn_cast<gpu::AllocOp>(&op);
          alloc && alloc.getHostShared() && !alloc.getAsyncToken())
        continue; // A new managed block: the chain cannot be using it.
      if (auto launch = dyn_cast<gpu::LaunchFuncOp>(&op)) {
        if (failed(chainLaunch(launch)))
          return failure();
        continue;
      }
      if (isa<gpu::AllocOp, gpu::MemcpyOp, gpu::DeallocOp, gpu::MemsetOp>(&op)) {
        if (failed(chainAsyncOp(&op)))
          return failure();
        continue;
      }
      if (op.hasTrait<OpTrait::IsTerminator>()) {
        waitOnHost(&op);
        continue;
      }
      visitHostOp(&op);
    }
    return success();
  }

private:
  /// A `gpu.wait async` (offload's start of a stream) continues the chain;
  /// a synchronous wait on chain tokens is deferred (dropped: the host waits
  /// where it needs to). A wait on another token is an error.
  LogicalResult visitWait(gpu::WaitOp wait) {
    if (!dependsOnChainOnly(wait.getAsyncDependencies()))
      return wait.emitOpError()
             << "scn-gpu-async-chain: waits on a token from outside its block's chain "
                "(one that an earlier host wait already consumed)";
    if (wait.getAsyncToken()) {
      if (token) {
        wait.getAsyncToken().replaceAllUsesWith(token);
        wait.erase();
      } else {
        token = wait.getAsyncToken();
        chained.insert(token);
      }
      return success();
    }
    wait.erase();
    return success();
  }

  /// Makes `launch` the next op of the chain (async, after the last one).
  LogicalResult chainLaunch(gpu::LaunchFuncOp launch) {
    if (!dependsOnChainOnly(launch.getAsyncDependencies()))
      return launch.emitOpError()
             << "scn-gpu-async-chain: depends on a token from outside its block's chain";
    OpBuilder b(launch);
    Value last = lastToken(b, launch.getLoc());
    std::optional<gpu::KernelDim3> cluster;
    if (launch.hasClusterSize())
      cluster = launch.getClusterSizeOperandValues();
    auto async = gpu::LaunchFuncOp::create(
        b, launch.getLoc(), launch.getKernel(), launch.getGridSizeOperandValues(),
        launch.getBlockSizeOperandValues(), launch.getDynamicSharedMemorySize(),
        launch.getKernelOperands(), b.getType<gpu::AsyncTokenType>(), ValueRange{last},
        cluster);
    async->setDiscardableAttrs(launch->getDiscardableAttrDictionary());
    // Kernels may write any buffer they take.
    for (Value operand : launch.getKernelOperands())
      if (isa<BaseMemRefType>(operand.getType()))
        addPending(pendingWrites, operand);
    if (Value old = launch.getAsyncToken())
      old.replaceAllUsesWith(async.getAsyncToken());
    launch.erase();
    append(async.getAsyncToken());
    return success();
  }

  /// Chains an async allocation, copy, memset or free (offload's forms,
  /// which depend on chain tokens only).
  LogicalResult chainAsyncOp(Operation *op) {
    auto async = cast<gpu::AsyncOpInterface>(op);
    if (!async.getAsyncToken())
      return op->emitOpError() << "scn-gpu-async-chain: expects the async form that "
                                  "scn-gpu-offload emits";
    if (!dependsOnChainOnly(async.getAsyncDependencies()))
      return op->emitOpError()
             << "scn-gpu-async-chain: depends on a token from outside its block's chain";
    OpBuilder b(op);
    Value last = lastToken(b, op->getLoc());
    // Exactly one dependency, the chain's last op: gpu-to-llvm puts the op
    // on that op's stream.
    if (auto alloc = dyn_cast<gpu::AllocOp>(op))
      alloc.getAsyncDependenciesMutable().assign(last);
    else if (auto copy = dyn_cast<gpu::MemcpyOp>(op))
      copy.getAsyncDependenciesMutable().assign(last);
    else if (auto set = dyn_cast<gpu::MemsetOp>(op))
      set.getAsyncDependenciesMutable().assign(last);
    else
      cast<gpu::DeallocOp>(op).getAsyncDependenciesMutable().assign(last);
    if (auto copy = dyn_cast<gpu::MemcpyOp>(op)) {
      addPending(pendingReads, copy.getSrc());
      addPending(pendingWrites, copy.getDst());
    } else if (auto set = dyn_cast<gpu::MemsetOp>(op)) {
      addPending(pendingWrites, set.getDst());
    } else if (auto free = dyn_cast<gpu::DeallocOp>(op)) {
      addPending(pendingWrites, free.getMemref());
    } else {
      addPending(pendingWrites, cast<gpu::AllocOp>(op).getMemref());
    }
    append(async.getAsyncToken());
    return success();
  }

  /// Host code: waits for the chain first when it touches a buffer the
  /// chain uses (or may touch anything); tells the runtime when it touches
  /// managed memory while the chain runs.
  void visitHostOp(Operation *op) {
    if (!token)
      return;
    HostAccess access = hostAccessOf(op);
    auto conflicts = [&]() {
      for (Value v : access.reads)
        if (pendingWrites.contains(v))
          return true;
      for (Value v : access.writes)
        if (pendingWrites.contains(v) || pendingReads.contains(v))
          return true;
      return false;
    };
    // A queued op on a buffer the analysis cannot name may alias any host
    // access.
    bool touches = !access.reads.empty() || !access.writes.empty();
    if (access.unknown || conflicts() || (pendingUnnamed && touches)) {
      waitOnHost(op);
      return;
    }
    if (hostAccessAnnounced)
      return;
    bool touchesManaged = llvm::any_of(access.reads, isManaged) ||
                          llvm::any_of(access.writes, isManaged);
    if (touchesManaged) {
      OpBuilder b(op);
      func::CallOp::create(b, op->getLoc(), beforeHostAccess, ValueRange{});
      hostAccessAnnounced = true;
    }
  }

  /// The host waits for the chain before `op`; the next GPU op starts a
  /// new chain.
  void waitOnHost(Operation *op) {
    if (!token)
      return;
    OpBuilder b(op);
    gpu::WaitOp::create(b, op->getLoc(), Type(), ValueRange{token});
    token = {};
    chained.clear();
    pendingReads.clear();
    pendingWrites.clear();
    pendingUnnamed = false;
    hostAccessAnnounced = false;
  }

  /// Records that a queued op touches the buffer `v` views.
  void addPending(llvm::DenseSet<Value> &pending, Value v) {
    Value root = rootBuffer(v);
    pending.insert(root);
    pendingUnnamed |= !isNamedBuffer(root);
  }

  bool dependsOnChainOnly(ValueRange deps) {
    return llvm::all_of(deps, [&](Value dep) { return chained.contains(dep); });
  }

  /// The chain's last token, starting a chain (a new stream) if none.
  Value lastToken(OpBuilder &b, Location loc) {
    if (!token) {
      token = gpu::WaitOp::create(b, loc, b.getType<gpu::AsyncTokenType>(), ValueRange{})
                  .getAsyncToken();
      chained.insert(token);
    }
    return token;
  }

  void append(Value next) {
    token = next;
    chained.insert(next);
    hostAccessAnnounced = false;
  }

  Block &block;
  func::FuncOp beforeHostAccess;
  Value token;
  llvm::DenseSet<Value> chained;
  llvm::DenseSet<Value> pendingReads, pendingWrites;
  bool pendingUnnamed = false;
  bool hostAccessAnnounced = false;
};

struct SCNGPUAsyncChainPass : scn::impl::SCNGPUAsyncChainBase<SCNGPUAsyncChainPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> hosts;
    for (auto func : module.getOps<func::FuncOp>()) {
      bool launches = false;
      func.walk([&](gpu::LaunchFuncOp) { launches = true; });
      if (launches)
        hosts.push_back(func);
    }
    if (hosts.empty())
      return;
    auto beforeHostAccess = module.lookupSymbol<func::FuncOp>(kBeforeHostAccess);
    if (!beforeHostAccess) {
      OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
      beforeHostAccess = func::FuncOp::create(b, module.getLoc(), kBeforeHostAccess,
                                              b.getFunctionType({}, {}));
      beforeHostAccess.setPrivate();
    }
    for (func::FuncOp func : hosts)
      for (Block &block : func.getBody())
        if (failed(Chain(block, beforeHostAccess).run()))
          return signalPassFailure();
    // Unused when no host code touched managed memory during a chain.
    if (beforeHostAccess.symbolKnownUseEmpty(module))
      beforeHostAccess.erase();
  }
};

} // namespace
