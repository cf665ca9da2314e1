//===- GPUOffload.cpp - the scn-gpu-offload pass --------------------------===//
//
// After bufferization of convert-scn-to-gpu output: puts every buffer that
// kernels touch in CUDA managed memory (gpu.alloc host_shared) and maps each
// top-level scf.parallel to a grid of blocks x threads, ready for upstream
// convert-parallel-loops-to-gpu and gpu-kernel-outlining.
//
// Placement: buffers that only kernels touch (most layer outputs) are device
// memory from the driver's pool; buffers that host code also touches (the
// scatter of merged input rows, runtime calls that read coordinates,
// results copied out, arguments and weights copied in) are
// managed memory, so both sides read them without explicit copies. The cost
// of the latter is page migration on first touch.
//
//===----------------------------------------------------------------------===//

#include "BufferRoots.h"
#include "DeviceBuffers.h"
#include "KernelBuilder.h"
#include "TensorCoreOps.h"
#include "scn/Conversion/Passes.h"
#include "scn/Conversion/TensorCores.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

#include <numeric>

namespace scn {
#define GEN_PASS_DEF_SCNGPUOFFLOAD
#include "scn/Conversion/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn::gpu_buffers;

namespace {

/// Whether `op` runs inside a kernel: nested in an scf.parallel (a row
/// loop), or in a gpu.launch (the tensor-core convolutions).
bool insideKernel(Operation *op) {
  return op->getParentOfType<scf::ParallelOp>() || op->getParentOfType<gpu::LaunchOp>();
}

/// Where `buffer` or a view of it is used: in kernels, and on the host (a
/// copy, a host loop, a raw pointer handed to the runtime, a return). Views
/// taken on the host count by their own uses; sizes, frees and DMA
/// (gpu.memcpy works on device memory) count as neither.
struct UseSites {
  bool kernels = false, host = false;
};
UseSites useSitesOf(Value buffer) {
  UseSites sites;
  SmallVector<Value> worklist{buffer};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if (insideKernel(user))
        sites.kernels = true;
      else if (view && view.getViewSource() == v)
        worklist.push_back(view.getViewDest());
      else if (!isa<gpu::DeallocOp, gpu::MemcpyOp, memref::DimOp>(user))
        sites.host = true;
    }
  }
  return sites;
}

bool usedInKernel(Value buffer) { return useSitesOf(buffer).kernels; }
bool usedOnHost(Value buffer) { return useSitesOf(buffer).host; }

/// Whether a raw pointer to `buffer` or a view of it is taken (for a
/// runtime call, whose GPU builders may read it on the device).
bool passedToRuntime(Value buffer) {
  SmallVector<Value> worklist{buffer};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (isa<memref::ExtractAlignedPointerAsIndexOp>(user))
        return true;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == v)
          worklist.push_back(view.getViewDest());
    }
  }
  return false;
}

/// The dynamic sizes of a buffer of `type` shaped like `like`.
SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, MemRefType type, Value like) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(memref::DimOp::create(b, loc, like, d));
  return sizes;
}

/// `gpu.alloc host_shared` (managed memory) with the shape of `like`.
Value allocShared(OpBuilder &b, Location loc, MemRefType type, Value like) {
  auto identity = MemRefType::get(type.getShape(), type.getElementType());
  return gpu::AllocOp::create(b, loc, identity, /*asyncToken=*/Type(), ValueRange{},
                              dynamicSizes(b, loc, type, like), ValueRange{},
                              /*hostShared=*/true)
      .getMemref();
}

/// A device allocation from the driver's pool. gpu-to-llvm lowers device
/// allocations in the async form with one dependency only: the allocation
/// is ordered on a fresh stream; the caller waits for its token (after
/// chaining a copy, if any).
gpu::AllocOp allocDeviceAsync(OpBuilder &b, Location loc, MemRefType type,
                              ValueRange sizes, ValueRange symbols) {
  Type token = gpu::AsyncTokenType::get(b.getContext());
  Value start = gpu::WaitOp::create(b, loc, token, ValueRange{}).getAsyncToken();
  return gpu::AllocOp::create(b, loc, type, token, ValueRange{start}, sizes, symbols,
                              /*hostShared=*/false);
}

/// Frees a gpu.alloc buffer (managed or device). gpu-to-llvm lowers only
/// the async form of gpu.dealloc, so the free is ordered on a stream that
/// is waited for at once.
void freeShared(OpBuilder &b, Location loc, Value buffer) {
  Type token = gpu::AsyncTokenType::get(b.getContext());
  Value start = gpu::WaitOp::create(b, loc, token, ValueRange{}).getAsyncToken();
  Value done = gpu::DeallocOp::create(b, loc, token, ValueRange{start}, buffer)
                   .getAsyncToken();
  gpu::WaitOp::create(b, loc, Type(), ValueRange{done});
}

/// Tiles `loop` by `blockSize` rows and maps tiles to blocks, rows of a
/// tile to threads, and parallel loops nested in a row to sequential loops.
LogicalResult mapToGrid(scf::ParallelOp loop, int64_t blockSize) {
  if (loop.getNumLoops() != 1 || loop.getNumReductions() != 0)
    return loop.emitOpError()
           << "scn-gpu-offload maps one-dimensional loops without reductions "
              "(the loops over rows that convert-scn-to-gpu emits)";
  MLIRContext *ctx = loop.getContext();
  // Replaces `loop` (erased) by the two nested loops.
  auto [outer, inner] =
      scf::tileParallelLoop(loop, {blockSize}, /*noMinMaxBounds=*/true);
  auto identity = AffineMap::getMultiDimIdentityMap(1, ctx);
  auto dim = [&](gpu::Processor processor) {
    return gpu::ParallelLoopDimMappingAttr::get(ctx, processor, identity, identity);
  };
  if (failed(gpu::setMappingAttr(outer, {dim(gpu::Processor::BlockX)})) ||
      failed(gpu::setMappingAttr(inner, {dim(gpu::Processor::ThreadX)})))
    return outer.emitOpError() << "cannot be mapped to GPU blocks and threads";
  WalkResult nested = inner.getBody()->walk([&](scf::ParallelOp p) {
    SmallVector<gpu::ParallelLoopDimMappingAttr> seq(
        p.getNumLoops(), dim(gpu::Processor::Sequential));
    return failed(gpu::setMappingAttr(p, seq)) ? WalkResult::interrupt()
                                               : WalkResult::advance();
  });
  if (nested.wasInterrupted())
    return outer.emitOpError() << "has a nested loop that cannot run sequentially";
  return success();
}

/// Makes every use of `alloc` (a memref.alloc or memref.alloca) use managed
/// memory of the same shape instead; returns that buffer.
template <typename AllocLike> Value replaceWithManaged(OpBuilder &b, AllocLike alloc) {
  b.setInsertionPoint(alloc);
  auto shared = gpu::AllocOp::create(b, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
                                     ValueRange{}, alloc.getDynamicSizes(),
                                     alloc.getSymbolOperands(), /*hostShared=*/true);
  alloc.replaceAllUsesWith(shared.getMemref());
  return shared.getMemref();
}

/// Every allocation outside kernels that a kernel or a runtime call uses
/// becomes managed memory for now (see moveKernelOnlyBuffersToDevice), and
/// its deallocations frees of it.
void placeAllocations(func::FuncOp func, OpBuilder &b) {
  // Buffers only host code touches (copies of batch-norm parameters that the
  // host turns into scales) stay ordinary host memory: managed allocations
  // cost a driver call each and page migration.
  SmallVector<memref::AllocOp> allocs;
  func.walk([&](memref::AllocOp alloc) {
    if (!insideKernel(alloc) &&
        (usedInKernel(alloc.getMemref()) || passedToRuntime(alloc.getMemref())))
      allocs.push_back(alloc);
  });
  for (memref::AllocOp alloc : allocs) {
    replaceWithManaged(b, alloc);
    alloc.erase();
  }
  // Stack buffers that host code fills for kernels (a batch norm's scale
  // and shift) would be host addresses inside a kernel: they become managed
  // memory too, freed where the stack would have released them (the end of
  // their block).
  SmallVector<memref::AllocaOp> allocas;
  func.walk([&](memref::AllocaOp alloca) {
    if (!insideKernel(alloca) && usedInKernel(alloca.getMemref()))
      allocas.push_back(alloca);
  });
  for (memref::AllocaOp alloca : allocas) {
    Value shared = replaceWithManaged(b, alloca);
    b.setInsertionPoint(alloca->getBlock()->getTerminator());
    freeShared(b, alloca.getLoc(), shared);
    alloca.erase();
  }
  SmallVector<memref::DeallocOp> deallocs;
  func.walk([&](memref::DeallocOp dealloc) { deallocs.push_back(dealloc); });
  for (memref::DeallocOp dealloc : deallocs) {
    if (!rootBuffer(dealloc.getMemref()).getDefiningOp<gpu::AllocOp>())
      continue;
    b.setInsertionPoint(dealloc);
    freeShared(b, dealloc.getLoc(), dealloc.getMemref());
    dealloc.erase();
  }
}

/// A parameter's device copy, released when the function returns.
struct ParameterCopy {
  Value hostPointer, device;
};

/// Whether `type` can be a memref over a runtime pointer (memrefOver).
bool describable(MemRefType type) {
  return type.getRank() > 0 && type.getElementType().isIntOrFloat() &&
         type.getElementTypeBitWidth() % 8 == 0;
}

/// The sizes of `like` (of `type`'s shape) as i64 values.
SmallVector<Value> sizesOf(OpBuilder &b, Location loc, MemRefType type, Value like) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    Value size = type.isDynamicDim(d)
                     ? memref::DimOp::create(b, loc, like, d).getResult()
                     : arith::ConstantIndexOp::create(b, loc, type.getDimSize(d)).getResult();
    sizes.push_back(arith::IndexCastOp::create(b, loc, b.getI64Type(), size));
  }
  return sizes;
}

/// Copies `host` (an argument or constant that kernels read; both are
/// read-only) in at the builder's position and makes kernels read the copy:
/// - in a generated function (`run` set): a constant global (weights baked
///   into the artifact) through scn_cg_gpu_constant, uploaded on its first
///   use and kept; an argument through scn_cg_gpu_parameter, which hands out
///   the array's resident device copy when the caller keeps one
///   (scn_gpu_keep_resident: weights uploaded once, not in every call) or an
///   upload, recorded in `parameters` for scn_cg_gpu_parameter_done at the
///   return. Host code that reads it too keeps reading the original,
///   unless a view serves both or a runtime call takes its pointer (its GPU
///   builder may read it in place);
/// - else into managed memory when host code reads it too;
/// - else by DMA into device memory.
/// Returns the copy to free at the return, or null.
Value copyIn(OpBuilder &b, Location loc, Value host, Value run, bool constant,
             SmallVectorImpl<ParameterCopy> &parameters) {
  // The uses to redirect: those in kernels, and views only kernels use;
  // host uses keep the original.
  SmallVector<OpOperand *> uses;
  bool split = true;
  for (OpOperand &use : host.getUses()) {
    Operation *user = use.getOwner();
    auto view = dyn_cast<ViewLikeOpInterface>(user);
    UseSites sites;
    if (insideKernel(user))
      sites.kernels = true;
    else if (view && view.getViewSource() == host)
      sites = useSitesOf(view.getViewDest());
    split &= !(sites.kernels && sites.host);
    if (sites.kernels && !sites.host)
      uses.push_back(&use);
  }
  auto type = cast<MemRefType>(host.getType());
  auto identity = MemRefType::get(type.getShape(), type.getElementType());
  Value copy;
  Value toFree;
  if (run && describable(identity) && split && !passedToRuntime(host)) {
    auto module = host.getParentRegion()->getParentOfType<ModuleOp>();
    Type ptr = LLVM::LLVMPointerType::get(b.getContext());
    func::FuncOp getter =
        declareRuntime(module, constant ? kConstant : kParameter,
                       b.getFunctionType({ptr, ptr, b.getI64Type()}, {ptr}));
    Value hostPointer = scn::cpu::pointerOf(b, loc, host);
    SmallVector<Value> sizes = sizesOf(b, loc, type, host);
    Value bytes = arith::ConstantIntOp::create(b, loc, identity.getElementTypeBitWidth() / 8, 64);
    for (Value size : sizes)
      bytes = arith::MulIOp::create(b, loc, bytes, size);
    Value device =
        func::CallOp::create(b, loc, getter, ValueRange{run, hostPointer, bytes}).getResult(0);
    copy = memrefOver(b, loc, device, identity, sizes);
    if (!constant)
      parameters.push_back({hostPointer, copy});
  } else if (usedOnHost(host)) {
    uses.clear();
    for (OpOperand &use : host.getUses())
      uses.push_back(&use);
    copy = allocShared(b, loc, type, host);
    memref::CopyOp::create(b, loc, host, copy);
    toFree = copy;
  } else {
    uses.clear();
    for (OpOperand &use : host.getUses())
      uses.push_back(&use);
    gpu::AllocOp device =
        allocDeviceAsync(b, loc, identity, dynamicSizes(b, loc, type, host), ValueRange{});
    Type token = gpu::AsyncTokenType::get(b.getContext());
    auto dma = gpu::MemcpyOp::create(b, loc, token, ValueRange{device.getAsyncToken()},
                                     device.getMemref(), host);
    gpu::WaitOp::create(b, loc, Type(), ValueRange{dma.getAsyncToken()});
    copy = toFree = device.getMemref();
  }
  Value replacement = copy;
  if (copy.getType() != host.getType())
    replacement = memref::CastOp::create(b, loc, host.getType(), copy);
  // The uses collected before the copy: not the copy's own reads of `host`.
  for (OpOperand *use : uses)
    use->set(replacement);
  return toFree;
}

/// Copies the arguments and constants that kernels read in (copyIn); adds
/// the copies to `freeAtReturn` and the parameters to `parameters`.
void copyInputsIn(func::FuncOp func, OpBuilder &b, llvm::SetVector<Value> &freeAtReturn,
                  SmallVectorImpl<ParameterCopy> &parameters) {
  b.setInsertionPointToStart(&func.getBody().front());
  Value run = runHandleOf(func);
  auto add = [&](Value copy) {
    if (copy)
      freeAtReturn.insert(copy);
  };
  for (BlockArgument arg : func.getArguments())
    if (isa<MemRefType>(arg.getType()) && usedInKernel(arg))
      add(copyIn(b, arg.getLoc(), arg, run, /*constant=*/false, parameters));
  SmallVector<memref::GetGlobalOp> globals;
  func.walk([&](memref::GetGlobalOp global) {
    if (!insideKernel(global) && usedInKernel(global.getResult()))
      globals.push_back(global);
  });
  auto module = func->getParentOfType<ModuleOp>();
  for (memref::GetGlobalOp global : globals) {
    b.setInsertionPointAfter(global);
    auto definition = module.lookupSymbol<memref::GlobalOp>(global.getNameAttr());
    bool constant = definition && definition.getConstant();
    add(copyIn(b, global.getLoc(), global.getResult(), run, constant, parameters));
  }
}

/// Host memory for a result of `type` shaped like `like`: in a generated
/// function (run handle `run`), a contiguous result gets
/// scn_cg_gpu_result_buffer (page-locked blocks reused across runs, which
/// the copy engine fills at full speed: a DMA into fresh malloc memory
/// faults every page in, and took 15 ms for W1's 22 MB output on an H200;
/// a runtime call of the scn_cg_gpu_ family, so scn-gpu-async-chain keeps
/// its stream across it and emulate-on-host calls scn_cg_result_buffer);
/// otherwise malloc memory.
Value resultBuffer(OpBuilder &b, Location loc, MemRefType type, Value like, Value run) {
  if (!run || !type.getLayout().isIdentity() || !describable(type))
    return memref::AllocOp::create(b, loc, type, dynamicSizes(b, loc, type, like));
  auto module = like.getParentRegion()->getParentOfType<ModuleOp>();
  Type ptr = LLVM::LLVMPointerType::get(b.getContext());
  func::FuncOp allocate = declareRuntime(module, "scn_cg_gpu_result_buffer",
                                         b.getFunctionType({ptr, b.getI64Type()}, {ptr}));
  SmallVector<Value> sizes = sizesOf(b, loc, type, like);
  Value bytes = arith::ConstantIntOp::create(b, loc, type.getElementTypeBitWidth() / 8, 64);
  for (Value size : sizes)
    bytes = arith::MulIOp::create(b, loc, bytes, size);
  Value block = func::CallOp::create(b, loc, allocate, ValueRange{run, bytes}).getResult(0);
  return memrefOver(b, loc, block, type, sizes, /*deviceMemory=*/false);
}

/// Returns results in host memory, which callers free with scn_result_free:
/// each buffer from a gpu.alloc is copied out and added to `freeAtReturn`.
/// Contiguous results are copied by DMA (gpu.memcpy), so that the result
/// buffer can be device memory and the host does not fault the pages of a
/// managed one in one by one (W1's output is 22 MB); others by the host.
void copyResultsOut(func::ReturnOp returnOp, OpBuilder &b,
                    llvm::SetVector<Value> &freeAtReturn) {
  b.setInsertionPoint(returnOp);
  Location loc = returnOp.getLoc();
  Value run = runHandleOf(returnOp->getParentOfType<func::FuncOp>());
  for (OpOperand &result : returnOp->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(result.get().getType());
    if (!type)
      continue;
    Value root = rootBuffer(result.get());
    if (!root.getDefiningOp<gpu::AllocOp>())
      continue;
    Value host = resultBuffer(b, loc, type, result.get(), run);
    if (type.getLayout().isIdentity()) {
      Type token = gpu::AsyncTokenType::get(b.getContext());
      Value start = gpu::WaitOp::create(b, loc, token, ValueRange{}).getAsyncToken();
      auto dma = gpu::MemcpyOp::create(b, loc, token, ValueRange{start}, host, result.get());
      gpu::WaitOp::create(b, loc, Type(), ValueRange{dma.getAsyncToken()});
    } else {
      memref::CopyOp::create(b, loc, result.get(), host);
    }
    result.set(host);
    freeAtReturn.insert(root);
  }
}

/// Managed buffers that only kernels touch move to device memory (the
/// driver's pool, reused across layers and runs).
void moveKernelOnlyBuffersToDevice(func::FuncOp func, OpBuilder &b) {
  SmallVector<gpu::AllocOp> deviceOnly;
  func.walk([&](gpu::AllocOp alloc) {
    if (alloc.getHostShared() && !usedOnHost(alloc.getMemref()))
      deviceOnly.push_back(alloc);
  });
  for (gpu::AllocOp alloc : deviceOnly) {
    b.setInsertionPoint(alloc);
    gpu::AllocOp device = allocDeviceAsync(b, alloc.getLoc(), alloc.getType(),
                                           alloc.getDynamicSizes(), alloc.getSymbolOperands());
    gpu::WaitOp::create(b, alloc.getLoc(), Type(), ValueRange{device.getAsyncToken()});
    alloc.getMemref().replaceAllUsesWith(device.getMemref());
    alloc.erase();
  }
}

/// Whether a raw pointer that a kernel reads is GPU memory: an array that
/// the runtime hands out in device or managed memory (device geometry, or
/// scn_cg_device_copy of host geometry). Not the handles of sets and maps,
/// nor the pair offsets of weight-stationary kernels (host memory, read by
/// the host loop only).
bool isDevicePointer(Value pointer) {
  auto call = pointer.getDefiningOp<func::CallOp>();
  if (!call)
    return false;
  return llvm::is_contained(
      {"scn_cg_device_copy", "scn_cg_gpu_coords", "scn_cg_gpu_row_to_site",
       "scn_cg_gpu_site_source_row", "scn_cg_gpu_site_row_count", "scn_cg_gpu_site_row_start",
       "scn_cg_gpu_rows_by_site", "scn_cg_gpu_neighbors",
       "scn_cg_gpu_row_order", "scn_cg_gpu_row_masks", "scn_cg_gpu_row_table",
       "scn_cg_gpu_check_flag", "scn_cg_gpu_pair_in_rows", "scn_cg_gpu_pair_out_rows"},
      call.getCallee());
}

/// Every buffer a kernel reads or writes must be GPU memory (a gpu.alloc,
/// managed or device, a parameter's device copy, or a view of one): anything else is a host address,
/// which faults on the GPU but not in the emulation on the host. Checked
/// here, after placement, so that a lowering that leaves one gets a compile
/// error that names it rather than an illegal-address error at run time.
LogicalResult verifyKernelOperands(func::FuncOp func) {
  WalkResult result = func.walk<WalkOrder::PreOrder>([&](Operation *kernel) {
    if (!isa<scf::ParallelOp, gpu::LaunchOp>(kernel) || insideKernel(kernel))
      return WalkResult::advance();
    Region &body = kernel->getRegion(0);
    WalkResult nested = kernel->walk([&](Operation *inner) {
      for (Value operand : inner->getOperands()) {
        if (body.isAncestor(operand.getParentRegion()))
          continue;
        if (isa<LLVM::LLVMPointerType>(operand.getType())) {
          if (isDevicePointer(operand))
            continue;
          inner->emitError() << "scn-gpu-offload: this kernel op reads a pointer that is "
                                "not GPU memory (only the runtime's device arrays are)";
          return WalkResult::interrupt();
        }
        if (!isa<MemRefType>(operand.getType()))
          continue;
        Value root = rootBuffer(operand);
        if (root.getDefiningOp<gpu::AllocOp>())
          continue;
        if (Operation *def = root.getDefiningOp();
            def && isa<UnrealizedConversionCastOp>(def) && def->hasAttr(kDeviceParameterAttr))
          continue;
        InFlightDiagnostic diag =
            inner->emitError()
            << "scn-gpu-offload: this kernel op reads a buffer that is not GPU memory ("
            << operand.getType() << ", ";
        if (Operation *def = root.getDefiningOp())
          diag << "from '" << def->getName() << "' at " << def->getLoc() << ")";
        else
          diag << "a block argument)";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return nested.wasInterrupted() ? WalkResult::interrupt() : WalkResult::skip();
  });
  return failure(result.wasInterrupted());
}

/// The top-level parallel loops of `func` (each a kernel), with
/// multi-dimensional ones without reductions (linalg ops on N-d tensors
/// that the host left, as parallel loops) collapsed to one dimension.
SmallVector<scf::ParallelOp> kernelLoops(func::FuncOp func) {
  auto collect = [&] {
    SmallVector<scf::ParallelOp> loops;
    func.walk([&](scf::ParallelOp loop) {
      if (!insideKernel(loop))
        loops.push_back(loop);
    });
    return loops;
  };
  IRRewriter rewriter(func.getContext());
  for (scf::ParallelOp loop : collect()) {
    if (loop.getNumLoops() < 2 || loop.getNumReductions() != 0)
      continue;
    std::vector<unsigned> all(loop.getNumLoops());
    std::iota(all.begin(), all.end(), 0u);
    rewriter.setInsertionPoint(loop);
    mlir::collapseParallelLoops(rewriter, loop, {all});
  }
  return collect();
}

/// Makes the f32 square roots of kernels correctly rounded, as on the CPU:
/// convert-gpu-to-nvvm turns math.sqrt into libdevice's __nv_sqrtf, which
/// is sqrt.approx.f32 (a batch norm's scale would then differ from the
/// CPU's in the last bits). scn-gpu-emulate-on-host turns them back.
void roundSquareRoots(func::FuncOp func) {
  SmallVector<math::SqrtOp> roots;
  func.walk([&](math::SqrtOp sqrt) {
    if (insideKernel(sqrt) && sqrt.getType().isF32())
      roots.push_back(sqrt);
  });
  for (math::SqrtOp sqrt : roots) {
    OpBuilder b(sqrt);
    auto rounded = LLVM::CallIntrinsicOp::create(b, sqrt.getLoc(), b.getF32Type(),
                                                 b.getStringAttr(scn::kRoundedSqrtIntrinsic),
                                                 sqrt.getOperand());
    sqrt.replaceAllUsesWith(rounded.getResult(0));
    sqrt.erase();
  }
}

LogicalResult offloadFunction(func::FuncOp func, int64_t blockSize) {
  if (func.isExternal())
    return success();
  SmallVector<scf::ParallelOp> kernels = kernelLoops(func);
  if (kernels.empty())
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitError() << "scn-gpu-offload handles single-block functions";
  auto returnOp = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  OpBuilder b(func.getContext());

  placeAllocations(func, b);
  // Copies in, and results, are freed when the function returns.
  llvm::SetVector<Value> freeAtReturn;
  SmallVector<ParameterCopy> parameters;
  copyInputsIn(func, b, freeAtReturn, parameters);
  copyResultsOut(returnOp, b, freeAtReturn);
  b.setInsertionPoint(returnOp);
  for (Value buffer : freeAtReturn)
    freeShared(b, returnOp.getLoc(), buffer);
  if (!parameters.empty()) {
    Type ptr = LLVM::LLVMPointerType::get(func.getContext());
    func::FuncOp done =
        declareRuntime(func->getParentOfType<ModuleOp>(), kParameterDone,
                       b.getFunctionType({ptr, ptr, ptr}, {}));
    for (ParameterCopy &p : parameters)
      func::CallOp::create(b, returnOp.getLoc(), done,
                           ValueRange{runHandleOf(func), p.hostPointer,
                                      scn::cpu::pointerOf(b, returnOp.getLoc(), p.device)});
  }
  moveKernelOnlyBuffersToDevice(func, b);
  if (failed(verifyKernelOperands(func)))
    return failure();
  roundSquareRoots(func);

  for (scf::ParallelOp loop : kernels)
    if (failed(mapToGrid(loop, blockSize)))
      return failure();
  return success();
}

struct SCNGPUOffloadPass : scn::impl::SCNGPUOffloadBase<SCNGPUOffloadPass> {
  using Base::Base;
  void runOnOperation() override {
    if (blockSize < 1 || blockSize > 1024) {
      getOperation().emitError() << "scn-gpu-offload: block-size " << blockSize
                                 << " is outside [1, 1024]";
      return signalPassFailure();
    }
    scn::gpu_offload::materializeWarpOps(getOperation());
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(offloadFunction(func, blockSize)))
        return signalPassFailure();
  }
};

} // namespace
