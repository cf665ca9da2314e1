//===- TensorCoreLowering.cpp - convolutions on tensor cores (CUDA) -------===//
//
// dataflow = "tensor_core" (planned by scn-plan-dataflow target=cuda with
// tensor-cores, for convolutions with a kernel map, one group, and input and
// output channels that are multiples of 16): fp16 inputs, fp32 accumulators,
// through the gpu dialect's subgroup MMA ops, which convert-gpu-to-nvvm
// lowers to WMMA (m16n16k16). One warp computes 16 output rows x 16 output
// channels: for each offset and block of 16 input channels, its lanes gather
// the 16 input rows the neighbour table names into a workgroup tile (f16,
// zeros for absent neighbours), and the warp multiplies that tile with the
// weights' (converted to f16 once per call). Then the bias and the fused
// epilogue run, and the valid rows are written once.
//
// Workgroup tiles are memref.globals in the workgroup address space (gpu
// dialect attributions would not survive buffer deallocation, which runs
// after this lowering).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace scn::cpu {

static constexpr int64_t kTile = 16;

/// A view of module-level workgroup memory `name` of `shape` x `element`,
/// declared on first use (aligned to 32 bytes: WMMA loads and stores need
/// 256-bit aligned tiles).
static Value workgroupGlobal(KernelBuilder &kb, StringRef name, ArrayRef<int64_t> shape,
                             Type element) {
  auto &b = kb.builder();
  auto space = gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto type = MemRefType::get(shape, element, MemRefLayoutAttrInterface(), space);
  auto module = b.getBlock()->getParentOp()->getParentOfType<ModuleOp>();
  if (!module.lookupSymbol(name)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    memref::GlobalOp::create(b, b.getStringAttr(name), b.getStringAttr("private"),
                             TypeAttr::get(type), Attribute(), UnitAttr(),
                             b.getI64IntegerAttr(32));
  }
  return memref::GetGlobalOp::create(b, type, name);
}

/// A 16x16 workgroup tile of `element` (f16 inputs, f32 results).
static Value workgroupTile(KernelBuilder &kb, Type element) {
  return workgroupGlobal(kb, element.isF16() ? "__scn_tc_tile_f16" : "__scn_tc_tile_f32",
                         {kTile, kTile}, element);
}

/// Name of the attribute that marks a barrier placeholder.
static constexpr const char *kBarrierMarker = "scn.gpu_barrier";

/// A workgroup barrier, as a placeholder that scn-gpu-offload turns into
/// gpu.barrier after bufferization: buffer deallocation, which runs in
/// between, refuses ops with unknown memory effects such as gpu.barrier. The
/// placeholder is a store into a one-element workgroup global of its own
/// (known effects; nothing reads it).
static void barrier(KernelBuilder &kb) {
  auto &b = kb.builder();
  Value marker = workgroupGlobal(kb, "__scn_barrier_marker", {1}, b.getI32Type());
  auto store = memref::StoreOp::create(b, kb.i32(0), marker, ValueRange{kb.index(0)});
  store->setAttr(kBarrierMarker, b.getUnitAttr());
}

LogicalResult emitTensorCore(KernelBuilder &kb, Operation *op, Value x, Value w,
                             Value biasBuf, ArrayRef<EpilogueStepAttr> steps,
                             ArrayRef<Value> epilogueBuffers, Value out,
                             int64_t columnOffset, Value table, Value rows, int64_t volume,
                             int64_t inChannels, int64_t outChannels) {
  if (!kb.forGPU())
    return op->emitOpError() << "has dataflow \"tensor_core\", which only the CUDA "
                                "target (convert-scn-to-gpu) lowers";
  if (inChannels % kTile || outChannels % kTile)
    return op->emitOpError() << "has dataflow \"tensor_core\" but " << inChannels
                             << " input and " << outChannels
                             << " output channels; both must be multiples of 16";
  auto &b = kb.builder();
  Type f16 = b.getF16Type(), f32 = b.getF32Type(), i32 = b.getI32Type();

  // The weights in f16 ([K, 1, Cin, Cout]), by a parallel loop: a kernel.
  auto wType = cast<MemRefType>(w.getType());
  Value w16 = memref::AllocOp::create(b, MemRefType::get(wType.getShape(), f16));
  Value wFlat = kb.flatten(w), w16Flat = kb.flatten(w16);
  kb.parallelRows(kb.index(wType.getNumElements()), [&](Value i) {
    Value v = memref::LoadOp::create(b, wFlat, ValueRange{i});
    memref::StoreOp::create(b, arith::TruncFOp::create(b, f16, v), w16Flat, ValueRange{i});
  });

  Value one = kb.index(1);
  Value rowTiles = arith::CeilDivUIOp::create(b, rows, kb.index(kTile));
  auto launch = gpu::LaunchOp::create(b, rowTiles, kb.index(outChannels / kTile), one,
                                      kb.index(32), one, one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value tileA = workgroupTile(kb, f16);
  Value tileC = workgroupTile(kb, f32);
  Value lane = launch.getThreadIds().x;
  // Lane l owns row l / 2 of a tile and its 8 columns from (l % 2) * 8.
  Value r = arith::DivUIOp::create(b, lane, kb.index(2));
  Value col0 = arith::MulIOp::create(b, arith::RemUIOp::create(b, lane, kb.index(2)),
                                     kb.index(8));
  Value row = arith::AddIOp::create(
      b, arith::MulIOp::create(b, launch.getBlockIds().x, kb.index(kTile)), r);
  Value valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row, rows);
  Value oc = arith::MulIOp::create(b, launch.getBlockIds().y, kb.index(kTile));
  auto aType = gpu::MMAMatrixType::get({kTile, kTile}, f16, "AOp");
  auto bType = gpu::MMAMatrixType::get({kTile, kTile}, f16, "BOp");
  auto cType = gpu::MMAMatrixType::get({kTile, kTile}, f32, "COp");
  Value zero = kb.f32(0.0);
  Value acc = gpu::SubgroupMmaConstantMatrixOp::create(b, cType, zero);
  IntegerAttr tileLead = b.getIndexAttr(kTile);
  IntegerAttr weightLead = b.getIndexAttr(outChannels);

  acc = kb.forLoopCarry(kb.index(volume), acc, [&](Value k, Value accK) {
    // The input row of this lane's output row at offset k, or -1.
    auto entryIf = scf::IfOp::create(b, TypeRange{i32}, valid, /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&entryIf.getThenRegion().front());
      Value at = arith::AddIOp::create(
          b, arith::MulIOp::create(b, row, kb.index(volume)), k);
      scf::YieldOp::create(b, kb.loadArray(table, at, i32));
      b.setInsertionPointToStart(&entryIf.getElseRegion().front());
      scf::YieldOp::create(b, kb.i32(-1));
    }
    Value entry = entryIf.getResult(0);
    Value has = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, entry, kb.i32(0));
    Value inRow = kb.toIndex(entry);
    return kb.forLoopCarry(kb.index(inChannels / kTile), accK, [&](Value cb, Value accB) {
      Value channelBase = arith::MulIOp::create(b, cb, kb.index(kTile));
      kb.forLoop(kb.index(8), [&](Value j) {
        Value column = arith::AddIOp::create(b, col0, j);
        auto valueIf = scf::IfOp::create(b, TypeRange{f32}, has, /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(&valueIf.getThenRegion().front());
          Value c = arith::AddIOp::create(b, channelBase, column);
          scf::YieldOp::create(b, memref::LoadOp::create(b, x, ValueRange{inRow, c}).getResult());
          b.setInsertionPointToStart(&valueIf.getElseRegion().front());
          scf::YieldOp::create(b, zero);
        }
        Value half = arith::TruncFOp::create(b, f16, valueIf.getResult(0));
        memref::StoreOp::create(b, half, tileA, ValueRange{r, column});
      });
      barrier(kb);
      Value c0 = kb.index(0);
      Value a = gpu::SubgroupMmaLoadMatrixOp::create(b, aType, tileA, ValueRange{c0, c0},
                                                     tileLead, UnitAttr());
      Value bw = gpu::SubgroupMmaLoadMatrixOp::create(
          b, bType, w16, ValueRange{k, c0, channelBase, oc}, weightLead, UnitAttr());
      Value next = gpu::SubgroupMmaComputeOp::create(b, a, bw, accB, UnitAttr(), UnitAttr());
      // The tile is refilled in the next step only after every lane read it.
      barrier(kb);
      return next;
    });
  });

  Value c0 = kb.index(0);
  gpu::SubgroupMmaStoreMatrixOp::create(b, acc, tileC, ValueRange{c0, c0}, tileLead,
                                        UnitAttr());
  barrier(kb);
  scf::IfOp::create(b, valid, [&](OpBuilder &, Location) {
    Value sums = kb.loadTile(tileC, {r, col0}, 8);
    Value channel = arith::AddIOp::create(b, oc, col0);
    if (biasBuf)
      sums = arith::AddFOp::create(b, sums, kb.loadTile(biasBuf, {channel}, 8));
    sums = applyEpilogue(kb, sums, steps, epilogueBuffers, row, channel);
    Value column = columnOffset ? arith::AddIOp::create(b, channel, kb.index(columnOffset))
                                      .getResult()
                                : channel;
    kb.storeTile(sums, out, {row, column});
    scf::YieldOp::create(b);
  });
  gpu::TerminatorOp::create(b);
  return success();
}

} // namespace scn::cpu
