//===- GPUPrepareParameters.cpp - the scn-gpu-prepare-parameters pass -----===//
//
// Kernels that derive values from parameters alone (tensor-core weights
// packed to f16, batch norm's scale and shift) compute the same values in
// every call while the weights are resident: in W1 f16, 112 of a call's 190
// launches. This pass puts their outputs in one block per group that the
// runtime keeps (scn_cg_gpu_prepared) and empties their grids when the
// block already holds the values (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "BufferRoots.h"
#include "DeviceBuffers.h"
#include "KernelBuilder.h"
#include "scn/Conversion/Passes.h"
#include "scn/Conversion/TensorCores.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace scn {
#define GEN_PASS_DEF_SCNGPUPREPAREPARAMETERS
#include "scn/Conversion/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn::gpu_buffers;

namespace {

constexpr llvm::StringLiteral kPrepared = "scn_cg_gpu_prepared";
constexpr llvm::StringLiteral kPreparedDone = "scn_cg_gpu_prepared_done";
/// Each output's offset in the block: aligned for any vector access.
constexpr int64_t kOutputAlignment = 256;

/// The pointer a parameter or constant copy was built over (memrefOver of
/// a scn_cg_gpu_parameter or scn_cg_gpu_constant result), or null.
Value copiedParameterPointer(Value root) {
  auto cast = root.getDefiningOp<UnrealizedConversionCastOp>();
  if (!cast || !cast->hasAttr(kDeviceParameterAttr) || cast->getNumOperands() != 1)
    return {};
  Value descriptor = cast->getOperand(0);
  while (auto insert = descriptor.getDefiningOp<LLVM::InsertValueOp>()) {
    if (insert.getPosition() == ArrayRef<int64_t>{0}) {
      auto call = insert.getValue().getDefiningOp<func::CallOp>();
      if (call && (call.getCallee() == kParameter || call.getCallee() == kConstant))
        return insert.getValue();
      return {};
    }
    descriptor = insert.getContainer();
  }
  return {};
}

/// Whether `v` is the same in every call: a constant, or pure arithmetic
/// on constants.
bool invariant(Value v, llvm::DenseMap<Value, bool> &known) {
  if (auto it = known.find(v); it != known.end())
    return it->second;
  Operation *def = v.getDefiningOp();
  bool result = def && def->getNumRegions() == 0 && isPure(def) &&
                !isa<func::CallOp>(def) && !isa<LLVM::LLVMPointerType>(v.getType());
  known[v] = false; // no cycles in SSA, but be safe
  if (result)
    for (Value operand : def->getOperands())
      if (!invariant(operand, known)) {
        result = false;
        break;
      }
  known[v] = result;
  return result;
}

/// Whether the view ops between `v` and its root buffer take only values
/// that are the same in every call (a subview at a per-call offset is not).
bool invariantViews(Value v, llvm::DenseMap<Value, bool> &known) {
  while (Operation *def = v.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view || view.getViewDest() != v)
      return true;
    for (Value operand : def->getOperands())
      if (operand != view.getViewSource() && !invariant(operand, known))
        return false;
    v = view.getViewSource();
  }
  return true;
}

/// Whether kernels can hold an output of `type` in the block: a memref
/// over a byte address (memrefOver), of whole-byte ints or floats.
bool placeable(MemRefType type) {
  return type.getRank() > 0 && type.hasStaticShape() && type.getLayout().isIdentity() &&
         type.getElementType().isIntOrFloat() && type.getElementTypeBitWidth() % 8 == 0;
}

/// The top-level kernel (a mapped loop, or a launch the lowering built
/// itself: tensor-core kernels) that holds `op`, or null.
Operation *kernelOf(Operation *op, Block &body) {
  Operation *top = body.findAncestorOpInBlock(*op);
  return top && top != op && isa<scf::ParallelOp, gpu::LaunchOp>(top) ? top : nullptr;
}

/// Whether every use of `buffer` (through views, in host code or in
/// kernels) is a read in a kernel other than `writer`, a use in `writer`
/// (classifyKernel checks those), or its free. A kernel op that takes it
/// some other way (its address as an integer, an op whose effects are not
/// declared) may write it: not only read.
bool onlyKernelsRead(Value buffer, scf::ParallelOp writer, Block &body) {
  for (OpOperand &use : buffer.getUses()) {
    Operation *user = use.getOwner();
    if (isa<gpu::DeallocOp>(user) && user->getBlock() == &body)
      continue;
    if (auto view = dyn_cast<ViewLikeOpInterface>(user); view && view.getViewSource() == buffer) {
      if (!onlyKernelsRead(view.getViewDest(), writer, body))
        return false;
      continue;
    }
    Operation *kernel = kernelOf(user, body);
    if (!kernel)
      return false;
    if (kernel == writer.getOperation())
      continue;
    auto effecting = dyn_cast<MemoryEffectOpInterface>(user);
    if (!effecting || isa<memref::ExtractAlignedPointerAsIndexOp>(user) ||
        llvm::any_of(user->getResultTypes(),
                     [](Type t) { return isa<BaseMemRefType, LLVM::LLVMPointerType>(t); }))
      return false;
    SmallVector<MemoryEffects::EffectInstance> effects;
    effecting.getEffects(effects);
    for (const MemoryEffects::EffectInstance &effect : effects)
      if ((!effect.getValue() || effect.getValue() == buffer) &&
          !isa<MemoryEffects::Read>(effect.getEffect()))
        return false;
  }
  return true;
}

/// One kernel that prepares values: the device copies it reads, the
/// prepared outputs of its group it reads, and the buffers it fills.
struct Preparation {
  scf::ParallelOp kernel;
  llvm::SetVector<Value> sources;  // raw copy pointers
  llvm::SetVector<Value> reads;    // outputs of earlier preparations
  llvm::SetVector<gpu::AllocOp> outputs;
};

/// `kernel` as a preparation, or nothing when it reads anything else than
/// parameter copies and `prepared` outputs, takes a value that may change
/// between calls, or writes anything but buffers only it fills.
std::optional<Preparation> classifyKernel(scf::ParallelOp kernel, Block &body,
                                          const llvm::DenseSet<Value> &prepared) {
  Preparation p;
  p.kernel = kernel;
  // scn-gpu-offload's kernels only (its mapping makes the grid).
  if (!kernel->hasAttr(gpu::getMappingAttrName()))
    return std::nullopt;
  llvm::DenseMap<Value, bool> known;
  Region &region = kernel.getRegion();
  bool ok = true;
  auto visitOperand = [&](Value operand) {
    if (region.isAncestor(operand.getParentRegion()))
      return;
    if (isa<MemRefType>(operand.getType())) {
      if (!invariantViews(operand, known)) {
        ok = false;
        return;
      }
      Value root = rootBuffer(operand);
      if (Value pointer = copiedParameterPointer(root))
        p.sources.insert(pointer);
      else if (prepared.contains(root))
        p.reads.insert(root);
      else if (auto alloc = root.getDefiningOp<gpu::AllocOp>();
               alloc && !alloc.getHostShared() && placeable(alloc.getType()) &&
               alloc->getBlock() == &body)
        p.outputs.insert(alloc);
      else
        ok = false;
      return;
    }
    if (!invariant(operand, known))
      ok = false;
  };
  for (Value operand : kernel->getOperands())
    visitOperand(operand);
  kernel.getRegion().walk([&](Operation *inner) {
    for (Value operand : inner->getOperands())
      visitOperand(operand);
    if (!ok)
      return WalkResult::interrupt();
    // Writes only into candidate outputs; no effects the analysis cannot
    // name (a store through a pointer: a check word).
    if (inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>() || isPure(inner) ||
        isa<scf::ReduceOp, scf::YieldOp>(inner))
      return WalkResult::advance();
    if (auto intrinsic = dyn_cast<LLVM::CallIntrinsicOp>(inner);
        intrinsic && intrinsic.getIntrin() == scn::kRoundedSqrtIntrinsic)
      return WalkResult::advance();
    auto effecting = dyn_cast<MemoryEffectOpInterface>(inner);
    if (!effecting) {
      ok = false;
      return WalkResult::interrupt();
    }
    SmallVector<MemoryEffects::EffectInstance> effects;
    effecting.getEffects(effects);
    for (const MemoryEffects::EffectInstance &effect : effects) {
      if (isa<MemoryEffects::Allocate, MemoryEffects::Free>(effect.getEffect()))
        continue;
      Value value = effect.getValue();
      if (!value || !isa<BaseMemRefType>(value.getType())) {
        ok = false;
        break;
      }
      Value root = rootBuffer(value);
      if (region.isAncestor(root.getParentRegion()))
        continue; // the kernel's own scratch
      auto alloc = root.getDefiningOp<gpu::AllocOp>();
      bool isOutput = alloc && p.outputs.contains(alloc);
      if (isa<MemoryEffects::Write>(effect.getEffect()) ? !isOutput : isOutput) {
        ok = false; // writes a source, or reads what it fills
        break;
      }
    }
    return ok ? WalkResult::advance() : WalkResult::interrupt();
  });
  if (!ok || p.outputs.empty())
    return std::nullopt;
  for (gpu::AllocOp alloc : p.outputs)
    if (!onlyKernelsRead(alloc.getMemref(), kernel, body))
      return std::nullopt;
  return p;
}

/// Preparations that share one block: the point before which its call
/// goes, and what they read and fill, in program order.
struct Group {
  Operation *start = nullptr;
  llvm::SetVector<Value> sources;
  SmallVector<Preparation> preparations;
  llvm::DenseSet<Value> outputs;
};

/// Where the call for a group starting with `p` goes: before the first
/// output's allocation (and the `gpu.wait async` that starts its stream).
Operation *startOf(const Preparation &p) {
  Operation *first = nullptr;
  for (gpu::AllocOp alloc : p.outputs) {
    Operation *at = alloc;
    for (Value dep : alloc.getAsyncDependencies())
      if (auto wait = dep.getDefiningOp<gpu::WaitOp>(); wait && wait->getBlock() == alloc->getBlock())
        at = wait->isBeforeInBlock(at) ? wait.getOperation() : at;
    if (!first || at->isBeforeInBlock(first))
      first = at;
  }
  return first;
}

bool definedBefore(Value v, Operation *point) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner() == point->getBlock();
  Operation *def = v.getDefiningOp();
  return def->getBlock() == point->getBlock() && def->isBeforeInBlock(point);
}

/// Erases `token`'s synchronous waits, then the op that made it when
/// nothing else uses it.
void dropToken(Value token) {
  if (!token)
    return;
  for (Operation *user : llvm::make_early_inc_range(token.getUsers()))
    if (auto wait = dyn_cast<gpu::WaitOp>(user);
        wait && !wait.getAsyncToken() && wait.getAsyncDependencies().size() == 1)
      wait.erase();
}

/// Erases an async allocation or free with its waits; the `gpu.wait async`
/// it depended on goes too when nothing else uses it.
void eraseAsync(Operation *op, ValueRange dependencies, Value token) {
  dropToken(token);
  SmallVector<Value> deps(dependencies);
  if (token && !token.use_empty()) {
    // What waited on the op waits on what it waited on (a fresh stream
    // when nothing).
    OpBuilder at(op);
    Value instead =
        deps.empty()
            ? gpu::WaitOp::create(at, op->getLoc(), token.getType(), ValueRange{}).getAsyncToken()
            : deps.front();
    token.replaceAllUsesWith(instead);
  }
  op->erase();
  for (Value dep : deps)
    if (auto wait = dep.getDefiningOp<gpu::WaitOp>(); wait && dep.use_empty())
      wait.erase();
}

/// A string constant of the module naming `text`, and its address.
Value siteString(OpBuilder &b, Location loc, ModuleOp module, StringRef name, StringRef text) {
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    std::string value = text.str();
    value.push_back('\0');
    auto type = LLVM::LLVMArrayType::get(b.getI8Type(), value.size());
    LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true, LLVM::Linkage::Internal, name,
                           b.getStringAttr(value));
  }
  return LLVM::AddressOfOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()), name);
}

/// Moves `group`'s outputs into one block from scn_cg_gpu_prepared and
/// makes its kernels run only when the block is to be filled.
void rewriteGroup(func::FuncOp func, Group &group, int index) {
  MLIRContext *ctx = func.getContext();
  auto module = func->getParentOfType<ModuleOp>();
  Location loc = group.start->getLoc();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i32 = IntegerType::get(ctx, 32), i64 = IntegerType::get(ctx, 64);
  Value run = runHandleOf(func);

  // Host slots for the call's array and flag, at the function's entry.
  OpBuilder b(ctx);
  b.setInsertionPointToStart(&func.getBody().front());
  auto count = [&](int64_t n) { return arith::ConstantIntOp::create(b, loc, n, 64); };
  int64_t numSources = std::max<int64_t>(group.sources.size(), 1);
  auto slot = [&](Type element, int64_t n) {
    auto alloca = LLVM::AllocaOp::create(b, loc, ptr, element, count(n));
    alloca->setAttr(kHostSlotAttr, b.getUnitAttr());
    return alloca.getResult();
  };
  Value sourceArray = slot(ptr, numSources);
  Value fillWord = slot(i32, 1);

  b.setInsertionPoint(group.start);
  for (auto [i, source] : llvm::enumerate(group.sources)) {
    Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, sourceArray,
                                     ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
    LLVM::StoreOp::create(b, loc, source, slot);
  }
  // Offsets of the outputs, in program order.
  SmallVector<std::pair<gpu::AllocOp, int64_t>> placed;
  int64_t bytes = 0;
  for (Preparation &p : group.preparations)
    for (gpu::AllocOp alloc : p.outputs) {
      MemRefType type = alloc.getType();
      int64_t size = type.getNumElements() * type.getElementTypeBitWidth() / 8;
      placed.push_back({alloc, bytes});
      bytes += (size + kOutputAlignment - 1) / kOutputAlignment * kOutputAlignment;
    }
  std::string name = ("__scn_prepared_" + func.getName() + "_" + llvm::Twine(index)).str();
  Value site = siteString(b, loc, module, name,
                          (func.getName() + ": values prepared from parameters, group " +
                           llvm::Twine(index))
                              .str());
  func::FuncOp prepare = declareRuntime(
      module, kPrepared, b.getFunctionType({ptr, ptr, ptr, i32, i64, ptr}, {ptr}));
  Value block =
      func::CallOp::create(b, loc, prepare,
                           ValueRange{run, site, sourceArray,
                                      arith::ConstantIntOp::create(b, loc, group.sources.size(), 32),
                                      arith::ConstantIntOp::create(b, loc, bytes, 64), fillWord})
          .getResult(0);
  Value fill = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                     LLVM::LoadOp::create(b, loc, i32, fillWord),
                                     arith::ConstantIntOp::create(b, loc, 0, 32));

  // The block as one buffer and each output a view of it: whatever fills
  // or reads an output touches the block, so scn-gpu-async-chain waits for
  // all of that before the done call, which takes the block.
  Value whole = memrefOver(b, loc, block, MemRefType::get({bytes}, b.getI8Type()),
                           {arith::ConstantIntOp::create(b, loc, bytes, 64)});
  // Allocations and frees go last: the builder inserts before the group's
  // start, which may be one of their waits.
  SmallVector<Operation *> doomed;
  for (auto [alloc, offset] : placed) {
    Value memref = memref::ViewOp::create(b, loc, alloc.getType(), whole,
                                          arith::ConstantIndexOp::create(b, loc, offset),
                                          ValueRange{});
    Value buffer = alloc.getMemref();
    for (Operation *user : buffer.getUsers())
      if (isa<gpu::DeallocOp>(user))
        doomed.push_back(user);
    buffer.replaceUsesWithIf(memref, [](OpOperand &use) {
      return !isa<gpu::DeallocOp>(use.getOwner());
    });
    doomed.push_back(alloc);
  }
  // An empty grid when the block holds the values: nothing launches.
  for (Preparation &p : group.preparations) {
    scf::ParallelOp kernel = p.kernel;
    OpBuilder at(kernel);
    SmallVector<Value> upper;
    for (auto [lower, bound] : llvm::zip(kernel.getLowerBound(), kernel.getUpperBound()))
      upper.push_back(arith::SelectOp::create(at, kernel.getLoc(), fill, bound, lower));
    kernel.getUpperBoundMutable().assign(upper);
  }
  for (Operation *op : doomed) {
    auto async = cast<gpu::AsyncOpInterface>(op);
    eraseAsync(op, async.getAsyncDependencies(), async.getAsyncToken());
  }
  // After the GPU work that fills or reads the block: keep or free it.
  func::FuncOp done =
      declareRuntime(module, kPreparedDone, b.getFunctionType({ptr, ptr, ptr}, {}));
  func.walk([&](func::ReturnOp ret) {
    OpBuilder at(ret);
    Value address = LLVM::AddressOfOp::create(at, ret.getLoc(), ptr, name);
    func::CallOp::create(at, ret.getLoc(), done,
                         ValueRange{run, address, scn::cpu::pointerOf(at, ret.getLoc(), whole)});
  });
}

void prepareFunction(func::FuncOp func) {
  if (func.isExternal() || !func.getBody().hasOneBlock() || !runHandleOf(func))
    return;
  Block &body = func.getBody().front();
  SmallVector<Group> groups;
  llvm::DenseSet<Value> prepared;
  for (Operation &op : body) {
    auto kernel = dyn_cast<scf::ParallelOp>(&op);
    if (!kernel)
      continue;
    std::optional<Preparation> p = classifyKernel(kernel, body, prepared);
    if (!p)
      continue;
    // In the current group when it reads only that group's outputs and its
    // copies exist where the group's call goes; else it starts a group.
    Group *group = groups.empty() ? nullptr : &groups.back();
    bool fits = group && llvm::all_of(p->sources, [&](Value source) {
                  return definedBefore(source, group->start);
                }) && llvm::all_of(p->reads, [&](Value read) {
                  return group->outputs.contains(read);
                });
    if (!fits) {
      if (!p->reads.empty())
        continue; // reads another group's outputs: left as it is
      Operation *start = startOf(*p);
      if (!llvm::all_of(p->sources, [&](Value s) { return definedBefore(s, start); }))
        continue;
      groups.emplace_back();
      group = &groups.back();
      group->start = start;
    }
    group->sources.insert(p->sources.begin(), p->sources.end());
    for (gpu::AllocOp alloc : p->outputs) {
      group->outputs.insert(alloc.getMemref());
      prepared.insert(alloc.getMemref());
    }
    group->preparations.push_back(std::move(*p));
  }
  for (auto [i, group] : llvm::enumerate(groups))
    rewriteGroup(func, group, i);
}

struct SCNGPUPrepareParametersPass
    : scn::impl::SCNGPUPrepareParametersBase<SCNGPUPrepareParametersPass> {
  void runOnOperation() override {
    for (auto func : llvm::make_early_inc_range(getOperation().getOps<func::FuncOp>()))
      prepareFunction(func);
  }
};

} // namespace
