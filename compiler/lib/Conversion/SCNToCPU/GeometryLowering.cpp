//===- GeometryLowering.cpp - input/output layers and site sets -----------===//
//
// Site sets and kernel maps are built by the runtime (scn/Runtime/Codegen.h);
// the features that move with them (merging duplicate input rows, OutputLayer
// rows, dense <-> sparse) are loops generated here.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace scn::cpu {

/// scn_index_type_t of a coordinate element type.
static FailureOr<int64_t> coordinateType(Operation *op, Type element) {
  if (element.isInteger(64))
    return 1;
  if (element.isInteger(32))
    return 0;
  return op->emitOpError() << "coordinates must be i32 or i64, got " << element;
}

/// Records a run error unless `cond` is false.
static void failIf(KernelBuilder &kb, Operation *op, Value cond,
                   StringRef message) {
  auto &b = kb.builder();
  scf::IfOp::create(b, cond, [&](OpBuilder &, Location) {
    kb.call("scn_cg_fail", Type(),
            {kb.getRun(), kb.opDescription(op), kb.constString(message)});
    scf::YieldOp::create(b);
  });
}

/// Fails the run when a feature buffer [rows, C] holds a NaN: SparseConvNet
/// would silently propagate it through every layer. On the CPU a host loop
/// before the geometry. For CUDA a kernel over the rows, which sets the
/// run's check word (scn_cg_gpu_check_flag) that the runtime reads when the
/// caller asks for the status: no host pass over the caller's array (44-88
/// MB for a W3 layer) and no host wait inside the run. The run then goes on
/// to the end before it reports the NaN.
static void checkNoNaN(KernelBuilder &kb, Operation *op, Value features,
                       Value rows, int64_t channels) {
  auto &b = kb.builder();
  StringRef message = "input features contain NaN";
  if (kb.forGPU()) {
    // A thread per 4 channels of a row (coalesced 16-byte loads of the
    // features' device copy).
    Value word = kb.opCheckWord(message);
    forEachRowTile(kb, rows, channels, [&](const RowTile &t) {
      Value v = loadTile(kb, features, t);
      Value nan = arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, v, v);
      kb.setCheckWordIf(word, vector::ReductionOp::create(b, vector::CombiningKind::OR, nan));
    });
    return;
  }
  Value any = kb.forLoopCarry(rows, arith::ConstantIntOp::create(b, 0, 1),
                              [&](Value r, Value found) {
    for (ChannelTile tile : splitChannels(channels)) {
      Value v = kb.loadTile(features, {r, kb.index(tile.begin)}, tile.width);
      Value nan = arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, v, v);
      Value some = vector::ReductionOp::create(b, vector::CombiningKind::OR, nan);
      found = arith::OrIOp::create(b, found, some);
    }
    return found;
  });
  failIf(kb, op, any, message);
}

/// Whether `op` (scn.input / scn.bl_input) sums its rows with atomic adds in
/// parallel (`input_merge = "atomic"`, planned for CUDA; the CPU runs such
/// plans in tests) instead of the sequential scatter. The GPU lowering
/// gathers instead (mergeInputRows).
static bool mergesAtomically(Operation *op) {
  auto merge = op->getAttrOfType<StringAttr>("input_merge");
  return merge && merge.getValue() == "atomic";
}

/// Merges input feature rows [R, C] onto the sites of `handle` by `mode`.
static Value mergeInputRows(KernelBuilder &kb, Value handle, Value features,
                            int64_t channels, int64_t mode, bool atomic) {
  auto &b = kb.builder();
  Type i32 = b.getI32Type();
  Type element = b.getF32Type();
  Value n = kb.toIndex(
      kb.call(kb.geometryFn("scn_cg_num_sites"), b.getI64Type(), {kb.getRun(), handle}));
  // Sums of rows (modes 3, 4) stay f32 when activations are narrower.
  Value out = kb.allocRows(n, channels, element, /*exact=*/mode >= 3);
  // Every parallel loop below goes by forEachRowTile: on the GPU a thread
  // per 4 channels of a row, so that a warp's loads, stores and atomic adds
  // touch neighbouring bytes. A thread per row over all channels (as before)
  // took 167 us (zero fill), 181 us (atomic adds) and 190 us (averaging)
  // for a 64-channel input of 173k rows on an H200, three times the
  // convolution that followed.
  if (mode <= 2) {
    // One source row per site (mode 0: the row, 1: first, 2: last).
    Value source = kb.runtimeArray("scn_cg_site_source_row", {handle}, kb.byteSize(n, 4));
    forEachRowTile(kb, n, channels, [&](const RowTile &t) {
      Value r = kb.toIndex(kb.loadArray(source, t.row, i32));
      storeTile(kb, kb.loadTile(features, {r, t.channel}, t.width, alignmentOf(features, t)),
                out, t);
    });
    return out;
  }
  if (kb.forGPU()) {
    // Modes 3 and 4 on the GPU: a gather, a thread per 4 channels of a site,
    // over the site's rows grouped by the runtime (scn_cg_gpu_rows_by_site,
    // ascending): each site's sum is written once, in the CPU's order (bit
    // for bit the same), without the zero fill and the atomic adds of the
    // scatter, whose order varied from run to run.
    Value start = kb.runtimeArray("scn_cg_site_row_start", {kb.getRun(), handle},
                                  kb.byteSize(arith::AddIOp::create(b, n, kb.index(1)), 4));
    Value rows = kb.toIndex(
        kb.call(kb.geometryFn("scn_cg_num_input_rows"), b.getI64Type(), {handle}));
    Value bySite = kb.runtimeArray("scn_cg_rows_by_site", {kb.getRun(), handle},
                                   kb.byteSize(rows, 4));
    Value counts = mode == 4 ? kb.runtimeArray("scn_cg_site_row_count", {handle},
                                               kb.byteSize(n, 4))
                             : Value();
    // Null arrays (the runtime could not build them and has failed the run):
    // no kernel iteration reads them.
    SmallVector<Value> arrays{start, bySite};
    if (counts)
      arrays.push_back(counts);
    Value sites = kb.countIfPresent(n, arrays);
    forEachRowTile(kb, sites, channels, [&](const RowTile &t) {
      Value first = kb.toIndex(kb.loadArray(start, t.row, i32));
      Value end = kb.toIndex(
          kb.loadArray(start, arith::AddIOp::create(b, t.row, kb.index(1)), i32));
      auto vecType = VectorType::get({t.width}, element);
      auto sum = scf::ForOp::create(b, first, end, kb.index(1), ValueRange{kb.splat(vecType, 0.0)});
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(sum.getBody());
        Value r = kb.toIndex(kb.loadArray(bySite, sum.getInductionVar(), i32));
        Value tile =
            kb.loadTile(features, {r, t.channel}, t.width, alignmentOf(features, t));
        scf::YieldOp::create(b, ValueRange{arith::AddFOp::create(
                                    b, sum.getRegionIterArgs().front(), tile)});
      }
      Value total = sum.getResult(0);
      if (mode == 4) {
        Value count = arith::SIToFPOp::create(b, element, kb.loadArray(counts, t.row, i32));
        total = arith::DivFOp::create(b, total, vector::BroadcastOp::create(b, vecType, count));
      }
      storeTile(kb, total, out, t);
    });
    return out;
  }
  // Modes 3 and 4: sum the rows of each site (a sequential scatter: rows of
  // one site may be anywhere), then average in mode 4.
  forEachRowTile(kb, n, channels, [&](const RowTile &t) {
    storeTile(kb, kb.splat(VectorType::get({t.width}, element), 0.0), out, t);
  });
  Value rows = kb.toIndex(kb.call(kb.geometryFn("scn_cg_num_input_rows"), b.getI64Type(), {handle}));
  Value rowToSite = kb.runtimeArray("scn_cg_row_to_site", {handle}, kb.byteSize(rows, 4));
  if (atomic) {
    // One parallel iteration per input row and tile, adding into its
    // site's row: a kernel on the GPU, where the sequential scatter below
    // would be a host loop over device data. Sums of three or more rows of
    // one site then depend on the order of the adds (within rounding).
    forEachRowTile(kb, rows, channels, [&](const RowTile &t) {
      Value site = kb.loadArray(rowToSite, t.row, i32);
      Value kept = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, site, kb.i32(0));
      scf::IfOp::create(b, kept, [&](OpBuilder &, Location) {
        Value s = kb.toIndex(site);
        Value tile = loadTile(kb, features, t);
        for (int64_t e = 0; e < t.width; ++e) {
          Value c = arith::AddIOp::create(b, t.channel, kb.index(e));
          Value v = vector::ExtractOp::create(b, tile, ArrayRef<int64_t>{e});
          memref::AtomicRMWOp::create(b, arith::AtomicRMWKind::addf, v, out,
                                      ValueRange{s, c});
        }
        scf::YieldOp::create(b);
      });
    });
  } else
  kb.forLoop(rows, [&](Value r) {
    Value site = kb.loadArray(rowToSite, r, i32);
    Value kept = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, site, kb.i32(0));
    scf::IfOp::create(b, kept, [&](OpBuilder &, Location) {
      Value s = kb.toIndex(site);
      for (ChannelTile t : splitChannels(channels)) {
        Value sum = arith::AddFOp::create(
            b, kb.loadTile(out, {s, kb.index(t.begin)}, t.width),
            kb.loadTile(features, {r, kb.index(t.begin)}, t.width));
        kb.storeTile(sum, out, {s, kb.index(t.begin)});
      }
      scf::YieldOp::create(b);
    });
  });
  if (mode == 4) {
    Value counts = kb.runtimeArray("scn_cg_site_row_count", {handle}, kb.byteSize(n, 4));
    forEachRowTile(kb, n, channels, [&](const RowTile &t) {
      Value count = kb.loadArray(counts, t.row, i32);
      Value countF = arith::SIToFPOp::create(b, element, count);
      auto vecType = VectorType::get({t.width}, element);
      Value div = vector::BroadcastOp::create(b, vecType, countF);
      storeTile(kb, arith::DivFOp::create(b, loadTile(kb, out, t), div), out, t);
    });
  }
  return out;
}

/// Rows [R, C] from site features: row r gets the features of its site, or
/// zeros when it was dropped (OutputLayer, BLOutputLayer).
static void scatterToRows(KernelBuilder &kb, Value handle, Value x, Value out,
                          Value rows, int64_t channels) {
  auto &b = kb.builder();
  Value rowToSite = kb.runtimeArray(
      "scn_cg_row_to_site", {handle},
      kb.byteSize(kb.call(kb.geometryFn("scn_cg_num_input_rows"), b.getI64Type(), {handle}), 4));
  forEachRowTile(kb, rows, channels, [&](const RowTile &t) {
    Value site = kb.loadArray(rowToSite, t.row, b.getI32Type());
    Value kept = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, site, kb.i32(0));
    auto vecType = VectorType::get({t.width}, b.getF32Type());
    auto ifOp = scf::IfOp::create(b, TypeRange{vecType}, kept, true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      scf::YieldOp::create(
          b, kb.loadTile(x, {kb.toIndex(site), t.channel}, t.width, alignmentOf(x, t)));
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      scf::YieldOp::create(b, kb.splat(vecType, 0.0));
    }
    storeTile(kb, ifOp.getResult(0), out, t);
  });
}

/// Linear offset of a site's (batch, plane 0, x) in a dense [B, C, *sizes]
/// array: the runtime coordinates are [N, D+1], batch last.
static Value denseOffset(KernelBuilder &kb, Value coords, Value site,
                         ArrayRef<int64_t> sizes, int64_t channels) {
  auto &b = kb.builder();
  int64_t d = sizes.size();
  int64_t plane = 1;
  for (int64_t s : sizes)
    plane *= s;
  Value rowBase = arith::MulIOp::create(b, site, kb.index(d + 1));
  auto coord = [&](int64_t axis) {
    Value i = arith::AddIOp::create(b, rowBase, kb.index(axis));
    return kb.toIndex(kb.loadArray(coords, i, b.getI64Type()));
  };
  Value offset = arith::MulIOp::create(b, coord(d), kb.index(channels * plane));
  int64_t stride = plane;
  for (int64_t axis = 0; axis < d; ++axis) {
    stride /= sizes[axis];
    offset = arith::AddIOp::create(
        b, offset, arith::MulIOp::create(b, coord(axis), kb.index(stride)));
  }
  return offset;
}

LogicalResult lowerGeometryOp(KernelBuilder &kb, Operation *op, bool &handled) {
  auto &b = kb.builder();
  handled = true;
  Type i64 = b.getI64Type();
  Type ptr = kb.ptrType();
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](InputOp input) -> LogicalResult {
        SitesType sites = input.getSites().getType();
        FailureOr<int64_t> coordType =
            coordinateType(op, input.getCoords().getType().getElementType());
        if (failed(coordType))
          return failure();
        if (!input.getFeatures().getType().getElementType().isF32())
          return op->emitOpError() << "the CPU lowering supports f32 features only";
        int64_t channels = input.getFeatures().getType().getDimSize(1);
        Value coords = kb.toBuffer(input.getCoords());
        Value features = kb.toBuffer(input.getFeatures());
        Value rows = memref::DimOp::create(b, coords, 0);
        Value cols = memref::DimOp::create(b, coords, 1);
        Value featureRows = memref::DimOp::create(b, features, 0);
        failIf(kb, op,
               arith::CmpIOp::create(b, arith::CmpIPredicate::ne, rows, featureRows),
               "coordinates and features have different numbers of rows");
        // Only scan rows that exist in both arrays.
        Value scanRows = arith::MinUIOp::create(b, rows, featureRows);
        checkNoNaN(kb, op, features, scanRows, channels);
        Value handle = kb.call(
            kb.geometryFn("scn_cg_input"), ptr,
            {kb.getRun(), kb.opDescription(op), kb.i32(sites.getDimension()),
             kb.constI64Array(sites.getSpatialSize()), kb.pointerOf(coords),
             kb.i32(*coordType), kb.toI64(rows), kb.toI64(cols),
             kb.i32(input.getMode()), kb.i64(input.getBatchSize().value_or(0))});
        kb.setHandle(input.getSites(), handle);
        Value merged =
            mergeInputRows(kb, handle, features, channels, input.getMode(),
                           mergesAtomically(op));
        input.getOutput().replaceAllUsesWith(
            kb.toTensor(merged, input.getOutput().getType()));
        return success();
      })
      .Case([&](BLInputOp input) -> LogicalResult {
        SitesType sites = input.getSites().getType();
        FailureOr<int64_t> coordType =
            coordinateType(op, input.getCoords().getType().getElementType());
        if (failed(coordType))
          return failure();
        auto featureType = input.getFeatures().getType();
        if (!featureType.getElementType().isF32())
          return op->emitOpError() << "the CPU lowering supports f32 features only";
        int64_t channels = featureType.getDimSize(2);
        Value coords = kb.toBuffer(input.getCoords());
        Value features = kb.toBuffer(input.getFeatures());
        Value batch = memref::DimOp::create(b, coords, 0);
        Value length = memref::DimOp::create(b, coords, 1);
        Value cols = memref::DimOp::create(b, coords, 2);
        Value fBatch = memref::DimOp::create(b, features, 0);
        Value fLength = memref::DimOp::create(b, features, 1);
        Value mismatch = arith::OrIOp::create(
            b, arith::CmpIOp::create(b, arith::CmpIPredicate::ne, batch, fBatch),
            arith::CmpIOp::create(b, arith::CmpIPredicate::ne, length, fLength));
        failIf(kb, op, mismatch,
               "coordinates [B, L, D] and features [B, L, C] disagree on B or L");
        ReassociationIndices rowsDims{0, 1};
        Value flat = memref::CollapseShapeOp::create(
            b, features, ArrayRef<ReassociationIndices>{rowsDims, {2}});
        Value handle = kb.call(
            kb.geometryFn("scn_cg_bl_input"), ptr,
            {kb.getRun(), kb.opDescription(op), kb.i32(sites.getDimension()),
             kb.constI64Array(sites.getSpatialSize()), kb.pointerOf(coords),
             kb.i32(*coordType), kb.toI64(batch), kb.toI64(length), kb.toI64(cols),
             kb.i32(input.getMode())});
        kb.setHandle(input.getSites(), handle);
        Value merged = mergeInputRows(kb, handle, flat, channels, input.getMode(),
                                      mergesAtomically(op));
        input.getOutput().replaceAllUsesWith(
            kb.toTensor(merged, input.getOutput().getType()));
        return success();
      })
      .Case([&](OutputOp output) -> LogicalResult {
        Value handle = kb.handle(output.getSites());
        int64_t channels = output.getType().getDimSize(1);
        Value x = kb.toBuffer(output.getInput());
        Value rows = kb.toIndex(kb.call(kb.geometryFn("scn_cg_num_input_rows"), i64, {handle}));
        // f32 even when activations are narrower: this is the network's
        // output, which the function returns as f32 anyway.
        Value out = kb.allocRows(rows, channels, b.getF32Type(), /*exact=*/true);
        scatterToRows(kb, handle, x, out, rows, channels);
        output.getOutput().replaceAllUsesWith(kb.toTensor(out, output.getType()));
        return success();
      })
      .Case([&](BLOutputOp output) -> LogicalResult {
        Value handle = kb.handle(output.getSites());
        auto type = cast<RankedTensorType>(output.getType());
        int64_t channels = type.getDimSize(2);
        Value x = kb.toBuffer(output.getInput());
        Value rows = kb.toIndex(kb.call(kb.geometryFn("scn_cg_num_input_rows"), i64, {handle}));
        Value batch = kb.toIndex(kb.call(kb.geometryFn("scn_cg_batch_size"), i64, {handle}));
        // Guard the division for a failed run (batch 0).
        Value safeBatch = arith::MaxUIOp::create(b, batch, kb.index(1));
        Value length = arith::DivUIOp::create(b, rows, safeBatch);
        auto outType = MemRefType::get(type.getShape(), type.getElementType());
        Value out = memref::AllocOp::create(b, outType, ValueRange{batch, length});
        ReassociationIndices rowsDims{0, 1};
        Value flat = memref::CollapseShapeOp::create(
            b, out, ArrayRef<ReassociationIndices>{rowsDims, {2}});
        Value flatRows = arith::MulIOp::create(b, batch, length);
        scatterToRows(kb, handle, x, flat, flatRows, channels);
        output.getOutput().replaceAllUsesWith(kb.toTensor(out, type));
        return success();
      })
      .Case([&](SparseToDenseOp toDense) -> LogicalResult {
        Value handle = kb.handle(toDense.getSites());
        SitesType sites = toDense.getSites().getType();
        auto type = cast<RankedTensorType>(toDense.getType());
        int64_t channels = type.getDimSize(1);
        int64_t plane = 1;
        for (int64_t s : sites.getSpatialSize())
          plane *= s;
        Value x = kb.toBuffer(toDense.getInput());
        Value batch = kb.toIndex(kb.call(kb.geometryFn("scn_cg_batch_size"), i64, {handle}));
        auto outType = MemRefType::get(type.getShape(), type.getElementType());
        Value out = memref::AllocOp::create(b, outType, ValueRange{batch});
        Value flat = kb.flatten(out);
        linalg::FillOp::create(b, ValueRange{kb.f32(0.0)}, ValueRange{flat});
        Value n = kb.toIndex(kb.call(kb.geometryFn("scn_cg_num_sites"), i64, {kb.getRun(), handle}));
        Value coords = kb.runtimeArray("scn_cg_coords", {handle}, kb.byteSize(n, 8 * (sites.getDimension() + 1)));
        kb.parallelRows(n, [&](Value s) {
          Value base = denseOffset(kb, coords, s, sites.getSpatialSize(), channels);
          kb.forLoop(kb.index(channels), [&](Value c) {
            Value v = kb.loadElement(x, ValueRange{s, c});
            Value at = arith::AddIOp::create(
                b, base, arith::MulIOp::create(b, c, kb.index(plane)));
            memref::StoreOp::create(b, v, flat, ValueRange{at});
          });
        });
        toDense.getOutput().replaceAllUsesWith(kb.toTensor(out, type));
        return success();
      })
      .Case([&](DenseToSparseOp toSparse) -> LogicalResult {
        SitesType sites = toSparse.getSites().getType();
        auto type = toSparse.getInput().getType();
        if (!type.getElementType().isF32())
          return op->emitOpError() << "the CPU lowering supports f32 features only";
        int64_t channels = type.getDimSize(1);
        int64_t plane = 1;
        for (int64_t s : sites.getSpatialSize())
          plane *= s;
        Value dense = kb.toBuffer(toSparse.getInput());
        Value batch = memref::DimOp::create(b, dense, 0);
        Value handle = kb.call(
            kb.geometryFn("scn_cg_dense_to_sparse"), ptr,
            {kb.getRun(), kb.opDescription(op), kb.i32(sites.getDimension()),
             kb.constI64Array(sites.getSpatialSize()), kb.toI64(batch),
             kb.i64(channels), kb.pointerOf(dense)});
        kb.setHandle(toSparse.getSites(), handle);
        Value flat = kb.flatten(dense);
        Value n = kb.toIndex(kb.call(kb.geometryFn("scn_cg_num_sites"), i64, {kb.getRun(), handle}));
        Value coords = kb.runtimeArray("scn_cg_coords", {handle}, kb.byteSize(n, 8 * (sites.getDimension() + 1)));
        Value out = kb.allocRows(n, channels, b.getF32Type());
        kb.parallelRows(n, [&](Value s) {
          Value base = denseOffset(kb, coords, s, sites.getSpatialSize(), channels);
          kb.forLoop(kb.index(channels), [&](Value c) {
            Value at = arith::AddIOp::create(
                b, base, arith::MulIOp::create(b, c, kb.index(plane)));
            Value v = memref::LoadOp::create(b, flat, ValueRange{at});
            kb.storeElement(v, out, ValueRange{s, c});
          });
        });
        toSparse.getOutput().replaceAllUsesWith(
            kb.toTensor(out, toSparse.getOutput().getType()));
        return success();
      })
      .Case([&](CoordinatesOp coordsOp) -> LogicalResult {
        Value handle = kb.handle(coordsOp.getSites());
        int64_t cols = coordsOp.getSites().getType().getDimension() + 1;
        Value n = kb.toIndex(kb.call(kb.geometryFn("scn_cg_num_sites"), i64, {kb.getRun(), handle}));
        Value coords = kb.runtimeArray("scn_cg_coords", {handle}, kb.byteSize(n, 8 * cols));
        Value out = kb.allocRows(n, cols, i64);
        kb.parallelRows(n, [&](Value s) {
          Value base = arith::MulIOp::create(b, s, kb.index(cols));
          for (int64_t c = 0; c < cols; ++c) {
            Value at = arith::AddIOp::create(b, base, kb.index(c));
            memref::StoreOp::create(b, kb.loadArray(coords, at, i64), out,
                                    ValueRange{s, kb.index(c)});
          }
        });
        coordsOp.getCoords().replaceAllUsesWith(
            kb.toTensor(out, coordsOp.getCoords().getType()));
        return success();
      })
      .Case([&](DownsampleOp down) -> LogicalResult {
        kb.setHandle(down.getOutput(),
                     kb.call(kb.geometryFn("scn_cg_downsample"), ptr,
                             {kb.getRun(), kb.opDescription(op),
                              kb.handle(down.getInput()),
                              kb.constI64Array(down.getFilterSize()),
                              kb.constI64Array(down.getFilterStride())}));
        return success();
      })
      .Case([&](FullSitesOp full) -> LogicalResult {
        kb.setHandle(full.getOutput(),
                     kb.call(kb.geometryFn("scn_cg_full_sites"), ptr,
                             {kb.getRun(), kb.opDescription(op),
                              kb.handle(full.getInput()),
                              kb.constI64Array(full.getFilterSize()),
                              kb.constI64Array(full.getFilterStride())}));
        return success();
      })
      .Case([&](KernelMapOp map) -> LogicalResult {
        // scn_kmap_kind_t: 0 submanifold, 1 strided, 3 full.
        int64_t kind = map.getKind() == KernelMapKind::submanifold ? 0
                       : map.getKind() == KernelMapKind::strided   ? 1
                                                                   : 3;
        kb.setHandle(map.getMap(),
                     kb.call(kb.geometryFn("scn_cg_kernel_map"), ptr,
                             {kb.getRun(), kb.opDescription(op), kb.i32(kind),
                              kb.handle(map.getInputSites()),
                              kb.handle(map.getOutputSites()),
                              kb.constI64Array(map.getFilterSize()),
                              kb.constI64Array(map.getFilterStride())}));
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}

} // namespace scn::cpu
