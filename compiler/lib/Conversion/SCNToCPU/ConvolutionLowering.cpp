//===- ConvolutionLowering.cpp - gather-GEMM kernels for conv and pooling -===//
//
// Output-stationary kernels over the neighbour table [N_out, K] of a kernel
// map. For each output row and each tile of output channels, a vector
// accumulator lives in registers while the kernel walks the K offsets and the
// input channels of the group (broadcast x[nbr, c] times W[k, g, c, tile]);
// then the epilogue runs and the row tile is stored once. No atomics and no
// gathered copies: every output row belongs to one iteration of the
// scf.parallel.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>

using namespace mlir;

namespace scn::cpu {

/// Schedule of a convolution when scn-plan-dataflow set none.
static constexpr int64_t kDefaultRowsPerTile = 4;
static constexpr int64_t kDefaultChannelTile = 32;

namespace {
/// The neighbour table an op reads and the number of its output rows.
struct NeighbourTable {
  Value table; // !llvm.ptr to int32 [rows, volume]
  Value rows;  // index
  int64_t volume;
  Value handle, transposed; // the map, and how the op reads it
};
} // namespace

/// The op's map, its output rows and (with `siteTable`) its neighbour table
/// in site order; the tensor-core lowering reads the table in row order
/// instead (scn_cg_row_table), and leaves `table` null.
static FailureOr<NeighbourTable> getTable(KernelBuilder &kb,
                                          KernelMapUserOpInterface user,
                                          int64_t volume, bool siteTable = true) {
  Value map = user.getKernelMap();
  if (!map)
    return user->emitOpError()
           << "has no kernel map operand: run scn-materialize-kernel-maps "
              "before convert-scn-to-cpu";
  Value handle = kb.handle(map);
  if (!handle)
    return user->emitOpError() << "kernel map is not produced by a lowered "
                                  "scn.kernel_map in this function";
  Value transposed = kb.i32(user.readsMapTransposed() ? 1 : 0);
  auto &b = kb.builder();
  Value rows = kb.call(kb.geometryFn("scn_cg_neighbors_rows"), b.getI64Type(),
                       {kb.getRun(), handle, transposed});
  Value table;
  if (siteTable)
    table = kb.runtimeArray("scn_cg_neighbors", {kb.getRun(), handle, transposed},
                            kb.byteSize(arith::MulIOp::create(b, rows, kb.i64(volume)), 4));
  return NeighbourTable{table, kb.toIndex(rows), volume, handle, transposed};
}

/// The alignment (bytes) a tile of `width` output channels may claim in the
/// weights ([Cin, Cout] or [K, groups, Cin, Cout], bases aligned to 16
/// bytes; see alignmentOf): tiles start at multiples of `width` in rows of
/// whole tiles, so at multiples of the tile's bytes, up to 16. 0 when that
/// does not hold.
static int64_t weightAlignment(Value w, int64_t width) {
  auto type = cast<MemRefType>(w.getType());
  int64_t columns = type.getShape().back();
  int64_t bytes = width * type.getElementTypeBitWidth() / 8;
  if (!type.getLayout().isIdentity() || ShapedType::isDynamic(columns) ||
      columns % width || !llvm::isPowerOf2_64(width))
    return 0;
  return std::min<int64_t>(bytes, 16);
}

/// `row * volume + k` as an index.
static Value tableIndex(KernelBuilder &kb, Value row, int64_t volume, Value k) {
  auto &b = kb.builder();
  Value base = arith::MulIOp::create(b, row, kb.index(volume));
  return arith::AddIOp::create(b, base, k);
}

/// Folds over the active neighbours of `row`: `step(acc, inputRow)` for each
/// offset whose table entry is not -1.
static Value foldNeighbours(
    KernelBuilder &kb, const NeighbourTable &t, Value row, Value init,
    llvm::function_ref<Value(Value acc, Value inputRow, Value k)> step) {
  auto &b = kb.builder();
  return kb.forLoopCarry(kb.index(t.volume), init, [&](Value k, Value acc) {
    Value entry =
        kb.loadArray(t.table, tableIndex(kb, row, t.volume, k), b.getI32Type());
    Value active =
        arith::CmpIOp::create(b, arith::CmpIPredicate::sge, entry, kb.i32(0));
    auto ifOp = scf::IfOp::create(b, TypeRange{acc.getType()}, active,
                                  /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      Value next = step(acc, kb.toIndex(entry), k);
      scf::YieldOp::create(b, next);
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      scf::YieldOp::create(b, acc);
    }
    return ifOp.getResult(0);
  });
}

/// The weight-stationary kernel (dataflow = "weight_stationary"): output
/// rows start at the bias; then for each offset k in turn, the pairs (in,
/// out) of k are taken in tiles of `rowsPerTile` pairs, and each tile adds
/// x[in] * W[k] to out[out], sharing every weight vector load across the
/// tile's pairs. Unlike output-stationary tiles, which multiply zeros for
/// the offsets some of their rows lack, every FMA here is real work. Within
/// one offset, output rows are distinct (each output meets at most one input
/// through k), so tiles never write the same row. The fused epilogue runs
/// last, over the finished rows.
///
/// On the CPU the parallel loop is over blocks of output rows (the runtime's
/// scn_cg_pair_blocks, about 1024 pairs each): a block runs its offsets in
/// turn, so its rows stay in cache from the bias to the epilogue, and the
/// threads meet once, not once an offset. On the GPU each offset's tiles are
/// a parallel loop of their own (a block would be one thread's serial work).
/// Either way a row's sum runs over the offsets in the same order: the
/// outputs are the same bit for bit.
static LogicalResult emitWeightStationary(
    KernelBuilder &kb, KernelMapUserOpInterface user, Value x, Value w, Value biasBuf,
    const Epilogue &epilogue, Value out,
    int64_t columnOffset, Value rows, int64_t volume, int64_t groups, int64_t inPerGroup,
    int64_t outPerGroup, int64_t rowsPerTile, int64_t channelTile, Type element) {
  auto &b = kb.builder();
  Value handle = kb.handle(user.getKernelMap());
  if (!handle)
    return user->emitOpError() << "kernel map is not produced by a lowered "
                                  "scn.kernel_map in this function";
  Value transposed = kb.i32(user.readsMapTransposed() ? 1 : 0);
  int64_t width = splitChannels(outPerGroup, channelTile).front().width;
  int64_t tilesPerGroup = outPerGroup / width;
  auto vecType = VectorType::get({width}, element);
  // Channel tiles are uniform, so tile gt of the row starts at gt * width.
  auto column = [&](Value channel) {
    return columnOffset ? arith::AddIOp::create(b, channel, kb.index(columnOffset)).getResult()
                        : channel;
  };
  Value numChannelTiles = kb.index(groups * tilesPerGroup);
  Value run = kb.getRun();

  auto initRow = [&](Value row) {
    kb.forLoop(numChannelTiles, [&](Value gt) {
      Value channel = arith::MulIOp::create(b, gt, kb.index(width));
      Value init = biasBuf ? kb.loadTile(biasBuf, {channel}, width) : kb.splat(vecType, 0.0);
      kb.storeTile(init, out, {row, column(channel)});
    });
  };
  auto finishRow = [&](Value row) {
    kb.forLoop(numChannelTiles, [&](Value gt) {
      Value channel = arith::MulIOp::create(b, gt, kb.index(width));
      Value acc = kb.loadTile(out, {row, column(channel)}, width);
      acc = applyEpilogue(kb, acc, epilogue, row, channel);
      kb.storeTile(acc, out, {row, column(channel)});
    });
  };
  // The tile of pairs [first, first + rowsPerTile) of offset k, cut at `end`.
  auto pairTile = [&](Value k, Value first, Value end, Value inRowsOf, Value outRowsOf) {
    // Pair r of the tile, clamped to a real pair for loads; `valid`
    // guards the stores of the last, partial tile.
    SmallVector<Value> inRows, outRows, valid;
    for (int64_t r = 0; r < rowsPerTile; ++r) {
      Value pair = arith::AddIOp::create(b, first, kb.index(r));
      Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, pair, end);
      Value clamped = arith::SelectOp::create(b, ok, pair, first);
      valid.push_back(ok);
      inRows.push_back(kb.toIndex(kb.loadArray(inRowsOf, clamped, b.getI32Type())));
      outRows.push_back(kb.toIndex(kb.loadArray(outRowsOf, clamped, b.getI32Type())));
    }
    kb.forLoop(numChannelTiles, [&](Value gt) {
      Value g = arith::DivUIOp::create(b, gt, kb.index(tilesPerGroup));
      Value tileBegin = arith::MulIOp::create(
          b, arith::RemUIOp::create(b, gt, kb.index(tilesPerGroup)), kb.index(width));
      Value channel = arith::MulIOp::create(b, gt, kb.index(width));
      Value inBase = arith::MulIOp::create(b, g, kb.index(inPerGroup));
      SmallVector<Value> accs;
      for (int64_t r = 0; r < rowsPerTile; ++r)
        accs.push_back(kb.loadTile(out, {outRows[r], column(channel)}, width));
      accs = kb.forLoopCarryN(kb.index(inPerGroup), accs, [&](Value p, ValueRange as) {
        Value c = arith::AddIOp::create(b, p, inBase);
        Value wv = kb.loadTile(w, {k, g, p, tileBegin}, width);
        SmallVector<Value> next;
        for (int64_t r = 0; r < rowsPerTile; ++r) {
          Value xs = kb.loadElement(x, ValueRange{inRows[r], c});
          Value xv = vector::BroadcastOp::create(b, vecType, xs);
          next.push_back(vector::FMAOp::create(b, xv, wv, as[r]));
        }
        return next;
      });
      for (int64_t r = 0; r < rowsPerTile; ++r)
        scf::IfOp::create(b, valid[r], [&](OpBuilder &, Location) {
          kb.storeTile(accs[r], out, {outRows[r], column(channel)});
          scf::YieldOp::create(b);
        });
    });
  };
  // The tiles of offset k's pairs [begin, end), in a parallel loop or not.
  auto offsetTiles = [&](Value k, Value begin, Value end, Value inRowsOf, Value outRowsOf,
                         bool parallel) {
    Value pairs = arith::SubIOp::create(b, end, begin);
    Value numTiles = arith::CeilDivUIOp::create(b, pairs, kb.index(rowsPerTile));
    auto body = [&](Value t) {
      Value first =
          arith::AddIOp::create(b, begin, arith::MulIOp::create(b, t, kb.index(rowsPerTile)));
      pairTile(k, first, end, inRowsOf, outRowsOf);
    };
    if (parallel)
      kb.parallelRows(numTiles, body);
    else
      kb.forLoop(numTiles, body);
  };

  if (!kb.forGPU()) {
    // No blocks when the map has no rows, or its lists failed the run.
    Value numBlocks = kb.toIndex(kb.call("scn_cg_pair_block_count", b.getI64Type(),
                                         {run, handle, transposed}));
    Value blocks = kb.call("scn_cg_pair_blocks", kb.ptrType(), {run, handle, transposed});
    Value inRowsOf = kb.call("scn_cg_pair_in_rows", kb.ptrType(), {run, handle, transposed});
    Value outRowsOf = kb.call("scn_cg_pair_out_rows", kb.ptrType(), {run, handle, transposed});
    Value stride = kb.index(volume + 1);
    // Entry j of block `block`'s line: its first row (0), or offset j - 1's
    // first pair.
    auto entry = [&](Value block, Value j) {
      Value at = arith::AddIOp::create(b, arith::MulIOp::create(b, block, stride), j);
      return kb.toIndex(kb.loadArray(blocks, at, b.getI64Type()));
    };
    kb.parallelRows(numBlocks, [&](Value block) {
      Value next = arith::AddIOp::create(b, block, kb.index(1));
      Value firstRow = entry(block, kb.index(0));
      Value blockRows = arith::SubIOp::create(b, entry(next, kb.index(0)), firstRow);
      auto eachRow = [&](llvm::function_ref<void(Value)> f) {
        kb.forLoop(blockRows, [&](Value i) { f(arith::AddIOp::create(b, firstRow, i)); });
      };
      eachRow(initRow);
      kb.forLoop(kb.index(volume), [&](Value k) {
        Value j = arith::AddIOp::create(b, k, kb.index(1));
        offsetTiles(k, entry(block, j), entry(next, j), inRowsOf, outRowsOf,
                    /*parallel=*/false);
      });
      if (!epilogue.steps.empty())
        eachRow(finishRow);
    });
    return success();
  }

  kb.parallelRows(rows, initRow);
  Value count =
      kb.call(kb.geometryFn("scn_cg_pair_count"), b.getI64Type(), {run, handle, transposed});
  Value any = arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, count, kb.i64(0));
  scf::IfOp::create(b, any, [&](OpBuilder &, Location) {
    Value offsets = kb.runtimeArray("scn_cg_pair_offsets", {run, handle, transposed},
                                    kb.i64((volume + 1) * 8));
    Value inRowsOf = kb.runtimeArray("scn_cg_pair_in_rows", {run, handle, transposed},
                                     kb.byteSize(count, 4));
    Value outRowsOf = kb.runtimeArray("scn_cg_pair_out_rows", {run, handle, transposed},
                                      kb.byteSize(count, 4));
    kb.forLoop(kb.index(volume), [&](Value k) {
      Value begin = kb.toIndex(kb.loadArray(offsets, k, b.getI64Type()));
      Value end = kb.toIndex(kb.loadArray(
          offsets, arith::AddIOp::create(b, k, kb.index(1)), b.getI64Type()));
      offsetTiles(k, begin, end, inRowsOf, outRowsOf, /*parallel=*/true);
    });
    scf::YieldOp::create(b);
  });
  if (!epilogue.steps.empty())
    kb.parallelRows(rows, finishRow);
  return success();
}

LogicalResult lowerConvolutionOp(KernelBuilder &kb, Operation *op,
                                 bool &handled) {
  auto epilogueOp = dyn_cast<EpilogueOpInterface>(op);
  handled = static_cast<bool>(epilogueOp);
  if (!handled)
    return success();
  auto &b = kb.builder();
  Value input = op->getOperand(0);
  Value weight = epilogueOp.getWeightOperand().get();
  Value bias = epilogueOp.getBiasValue();
  auto weightType = cast<RankedTensorType>(weight.getType());
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Type element = resultType.getElementType();
  if (!element.isF32())
    return op->emitOpError() << "the CPU lowering supports f32 features only, got "
                             << element;
  bool isLinear = isa<LinearOp>(op);
  int64_t groups = isLinear ? 1 : weightType.getDimSize(1);
  int64_t inPerGroup = isLinear ? weightType.getDimSize(0) : weightType.getDimSize(2);
  int64_t outPerGroup = weightType.getShape().back();
  int64_t nOut = resultType.getDimSize(1);

  Value x = kb.toBuffer(input);
  Value w = kb.toBuffer(weight);
  Value biasBuf = bias ? kb.toBuffer(bias) : Value();
  Epilogue epilogue;
  // Epilogue operands are the trailing operand segment of every such op.
  epilogue.steps = epilogueOp.getEpilogueSteps();
  unsigned numEpilogueOperands = 0;
  for (EpilogueStepAttr s : epilogue.steps)
    numEpilogueOperands += s.getNumOperands();
  for (Value v : op->getOperands().take_back(numEpilogueOperands))
    epilogue.buffers.push_back(kb.toBuffer(v));

  auto dataflow = op->getAttrOfType<StringAttr>("dataflow");
  NeighbourTable table{};
  Value rows;
  if (isLinear) {
    rows = memref::DimOp::create(b, x, 0);
  } else {
    auto user = cast<KernelMapUserOpInterface>(op);
    FailureOr<NeighbourTable> t =
        getTable(kb, user, weightType.getDimSize(0),
                 /*siteTable=*/!dataflow || dataflow.getValue() != "tensor_core");
    if (failed(t))
      return failure();
    table = *t;
    rows = table.rows;
  }
  // Rows go to this op's own buffer, or straight into its channel slice of
  // a concatenation (scn.concat's fused_operands).
  auto [concat, sliceOffset] = kb.getFusedConcat(op->getResult(0));
  Value out = concat ? kb.getConcatBuffer(concat, rows)
                     : kb.allocRows(rows, nOut, element);
  // A tap step's rows (the op's second result): a buffer of their own, or
  // their slice of a concatenation.
  ConcatOp tappedConcat;
  if (op->getNumResults() == 2) {
    int64_t tappedOffset;
    std::tie(tappedConcat, tappedOffset) = kb.getFusedConcat(op->getResult(1));
    epilogue.tapped = tappedConcat ? kb.getConcatBuffer(tappedConcat, rows)
                                   : kb.allocTappedRows(rows, nOut, element);
    epilogue.tappedColumn = tappedConcat ? tappedOffset : 0;
  }

  // The schedule chosen by scn-plan-dataflow (or written by hand):
  // `rows_per_tile` output rows share every weight vector they load, and
  // `channel_tile` output channels form one vector accumulator.
  int64_t rowsPerTile = kDefaultRowsPerTile;
  int64_t channelTile = kDefaultChannelTile;
  if (auto attr = op->getAttrOfType<IntegerAttr>("rows_per_tile"))
    rowsPerTile = std::clamp<int64_t>(attr.getInt(), 1, 64);
  if (auto attr = op->getAttrOfType<IntegerAttr>("channel_tile"))
    channelTile = std::clamp<int64_t>(attr.getInt(), 1, 256);
  if (dataflow && dataflow.getValue() != "output_stationary" &&
      dataflow.getValue() != "weight_stationary" &&
      dataflow.getValue() != "channel_parallel" && dataflow.getValue() != "tensor_core")
    return op->emitOpError() << "has dataflow \"" << dataflow.getValue()
                             << "\"; the lowering knows \"output_stationary\", "
                                "\"weight_stationary\", \"channel_parallel\" and "
                                "\"tensor_core\"";
  bool channelParallel = dataflow && dataflow.getValue() == "channel_parallel";
  if (isLinear && dataflow && dataflow.getValue() == "weight_stationary")
    return op->emitOpError() << "has no kernel map, so it cannot be weight_stationary";
  if (dataflow && dataflow.getValue() == "tensor_core") {
    if (isLinear || groups != 1)
      return op->emitOpError() << "has dataflow \"tensor_core\", which needs a kernel "
                                  "map and one group";
    // Tiles of rows with the same neighbours skip more empty offsets.
    Value order = kb.runtimeArray("scn_cg_row_order",
                                  {kb.getRun(), table.handle, table.transposed},
                                  kb.byteSize(rows, 4));
    // Their neighbour masks, in the same order: which offsets a warp's rows
    // have, one word a row.
    Value masks;
    if (table.volume <= kRowMaskOffsets && kb.neighbourMasks())
      masks = kb.runtimeArray("scn_cg_row_masks",
                              {kb.getRun(), table.handle, table.transposed},
                              kb.byteSize(rows, 4));
    // The table's rows in that order: a warp reads its rows' entries at
    // their positions, without waiting for the order's entries first.
    Value rowTable = kb.runtimeArray("scn_cg_row_table",
                                     {kb.getRun(), table.handle, table.transposed},
                                     kb.byteSize(rows, 4 * table.volume));
    // The warps read the table, the order and the masks for every row: none
    // when the runtime could not give one of them (it failed the run).
    SmallVector<Value> arrays{rowTable, order};
    if (masks)
      arrays.push_back(masks);
    Value warpRows = kb.countIfPresent(rows, arrays);
    if (failed(emitTensorCore(kb, op, x, w, biasBuf, epilogue, out,
                              concat ? sliceOffset : 0, rowTable, order, masks, warpRows,
                              table.volume, inPerGroup, outPerGroup)))
      return failure();
  } else if (!isLinear && dataflow && dataflow.getValue() == "weight_stationary") {
    // Its offsets accumulate in the output buffer, which would round every
    // partial sum to the stored type (activations, or the storage_type of
    // the rows, or of the concatenation it writes into, written by hand).
    Type stored = cast<MemRefType>(out.getType()).getElementType();
    if (stored.isF16() || stored.isBF16())
      return op->emitOpError() << "is weight_stationary, which accumulates in its output "
                                  "rows, but they are stored in f16/bf16 (activations or "
                                  "storage_type); use channel_parallel or tensor_core";
    if (failed(emitWeightStationary(kb, cast<KernelMapUserOpInterface>(op), x, w, biasBuf,
                                    epilogue, out, concat ? sliceOffset : 0,
                                    rows, table.volume, groups, inPerGroup, outPerGroup,
                                    rowsPerTile, channelTile, element)))
      return failure();
  } else {
  Value numTiles = arith::CeilDivUIOp::create(b, rows, kb.index(rowsPerTile));
  int64_t width = splitChannels(outPerGroup, channelTile).front().width;
  int64_t tilesPerGroup = outPerGroup / width;
  int64_t numChannelTiles = groups * tilesPerGroup;
  auto vecType = VectorType::get({width}, element);
  auto quadType = VectorType::get({4}, element);
  // The GPU form reads input channels four at a time where every group's
  // channels come in whole quads.
  bool inputQuads = channelParallel && inPerGroup % 4 == 0;
  // Alignment claims only when lowering for the GPU (emulated too), whose
  // buffers are all the runtime's (device copies, or host copies aligned to
  // 16 bytes when emulated), and at most 16 bytes; a CPU artifact reads the
  // caller's arrays, which may start anywhere, channel_parallel or not (a
  // CUDA plan runs on the CPU in tests).
  bool gpuForm = channelParallel && kb.forGPU();
  int64_t xAlign = gpuForm ? alignmentOf(x, 4) : 0;
  int64_t wAlign = gpuForm ? weightAlignment(w, width) : 0;
  int64_t outAlign =
      gpuForm ? std::min<int64_t>(alignmentOf(out, width, concat ? sliceOffset : 0), 16) : 0;

  // Row r of tile t, clamped to a valid row for loads; `valid` guards the
  // stores of the last, partial tile.
  SmallVector<Value> rowIndex, valid;
  auto rowTile = [&](Value t) {
    rowIndex.clear();
    valid.clear();
    Value first = arith::MulIOp::create(b, t, kb.index(rowsPerTile));
    for (int64_t r = 0; r < rowsPerTile; ++r) {
      Value row = arith::AddIOp::create(b, first, kb.index(r));
      Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row, rows);
      valid.push_back(ok);
      rowIndex.push_back(arith::SelectOp::create(b, ok, row, first));
    }
  };
  // The (row tile, channel tile) kernel. Output-stationary: one parallel
  // iteration per row tile loops over the (group, channel tile) pairs, so
  // the kernel is emitted once per op, which keeps code size (and LLVM's
  // compile time) small. channel_parallel (the GPU form): every pair is its
  // own iteration, channel tiles fastest, so that neighbouring GPU threads
  // read neighbouring weights and the same input rows.
  auto forEachTile = [&](llvm::function_ref<void(Value)> body) {
    if (channelParallel) {
      Value total = arith::MulIOp::create(b, numTiles, kb.index(numChannelTiles));
      kb.parallelRows(total, [&](Value i) {
        rowTile(arith::DivUIOp::create(b, i, kb.index(numChannelTiles)));
        body(arith::RemUIOp::create(b, i, kb.index(numChannelTiles)));
      });
      return;
    }
    kb.parallelRows(numTiles, [&](Value t) {
      rowTile(t);
      kb.forLoop(kb.index(numChannelTiles), body);
    });
  };
  {
    forEachTile([&](Value gt) {
        Value g = arith::DivUIOp::create(b, gt, kb.index(tilesPerGroup));
        Value tileBegin = arith::MulIOp::create(
            b, arith::RemUIOp::create(b, gt, kb.index(tilesPerGroup)), kb.index(width));
        Value channel = arith::AddIOp::create(
            b, arith::MulIOp::create(b, g, kb.index(outPerGroup)), tileBegin);
        Value inBase = arith::MulIOp::create(b, g, kb.index(inPerGroup));
        Value init = biasBuf ? kb.loadTile(biasBuf, {channel}, width)
                             : kb.splat(vecType, 0.0);
        SmallVector<Value> inits(rowsPerTile, init);
        // accs[r] += sum_p x[inRows[r], g * inPerGroup + p] * W[k, g, p, tile]:
        // one weight vector load serves every row of the tile. Absent
        // neighbours (present[r] false) read row 0 and contribute zero.
        auto weightTile = [&](Value p, Value k) {
          return isLinear ? kb.loadTile(w, {p, tileBegin}, width, wAlign)
                          : kb.loadTile(w, {k, g, p, tileBegin}, width, wAlign);
        };
        auto accumulate = [&](ValueRange accs, ArrayRef<Value> inRows,
                              ArrayRef<Value> present, Value k) {
          if (inputQuads) {
            // Four input channels of each row by one 16-byte load (a GPU
            // thread's load instructions, not its FMAs, bound this kernel:
            // one scalar load per row and channel before), then the same
            // FMAs in the same order, so sums stay bit for bit.
            return kb.forLoopCarryN(
                kb.index(inPerGroup / 4), accs, [&](Value quad, ValueRange as) {
                  Value p0 = arith::MulIOp::create(b, quad, kb.index(4));
                  Value c0 = arith::AddIOp::create(b, p0, inBase);
                  SmallVector<Value> xq;
                  for (int64_t r = 0; r < rowsPerTile; ++r) {
                    Value xs = kb.loadTile(x, {inRows[r], c0}, 4, xAlign);
                    if (!present.empty())
                      xs = arith::SelectOp::create(b, present[r], xs,
                                                   kb.splat(quadType, 0.0));
                    xq.push_back(xs);
                  }
                  SmallVector<Value> next(as.begin(), as.end());
                  for (int64_t e = 0; e < 4; ++e) {
                    Value wv = weightTile(arith::AddIOp::create(b, p0, kb.index(e)), k);
                    for (int64_t r = 0; r < rowsPerTile; ++r) {
                      Value xs = vector::ExtractOp::create(b, xq[r], ArrayRef<int64_t>{e});
                      Value xv = vector::BroadcastOp::create(b, vecType, xs);
                      next[r] = vector::FMAOp::create(b, xv, wv, next[r]);
                    }
                  }
                  return next;
                });
          }
          return kb.forLoopCarryN(kb.index(inPerGroup), accs, [&](Value p, ValueRange as) {
            Value c = arith::AddIOp::create(b, p, inBase);
            Value wv = weightTile(p, k);
            SmallVector<Value> next;
            for (int64_t r = 0; r < rowsPerTile; ++r) {
              Value xs = kb.loadElement(x, ValueRange{inRows[r], c});
              if (!present.empty())
                xs = arith::SelectOp::create(b, present[r], xs, kb.f32(0.0));
              Value xv = vector::BroadcastOp::create(b, vecType, xs);
              next.push_back(vector::FMAOp::create(b, xv, wv, as[r]));
            }
            return next;
          });
        };
        SmallVector<Value> accs;
        if (isLinear) {
          accs = accumulate(inits, rowIndex, {}, Value());
        } else {
          accs = kb.forLoopCarryN(kb.index(table.volume), inits, [&](Value k, ValueRange as) {
            SmallVector<Value> inRows, present;
            Value any = arith::ConstantIntOp::create(b, 0, 1);
            for (int64_t r = 0; r < rowsPerTile; ++r) {
              Value entry = kb.loadArray(
                  table.table, tableIndex(kb, rowIndex[r], table.volume, k), b.getI32Type());
              Value has = arith::AndIOp::create(
                  b, valid[r],
                  arith::CmpIOp::create(b, arith::CmpIPredicate::sge, entry, kb.i32(0)));
              present.push_back(has);
              inRows.push_back(arith::SelectOp::create(b, has, kb.toIndex(entry), kb.index(0)));
              any = arith::OrIOp::create(b, any, has);
            }
            // Offsets no row of the tile has are skipped entirely.
            auto ifOp = scf::IfOp::create(b, as.getTypes(), any, /*withElseRegion=*/true);
            {
              OpBuilder::InsertionGuard guard(b);
              b.setInsertionPointToStart(&ifOp.getThenRegion().front());
              scf::YieldOp::create(b, accumulate(as, inRows, present, k));
              b.setInsertionPointToStart(&ifOp.getElseRegion().front());
              scf::YieldOp::create(b, as);
            }
            return SmallVector<Value>(ifOp.getResults());
          });
        }
        for (int64_t r = 0; r < rowsPerTile; ++r) {
          scf::IfOp::create(b, valid[r], [&](OpBuilder &, Location) {
            // Channel tiles start at multiples of their width; only the GPU
            // form claims it, up to 16 bytes (see xAlign).
            Value acc = applyEpilogue(kb, accs[r], epilogue, rowIndex[r], channel,
                                      /*alignedTiles=*/gpuForm && width <= 4);
            Value column = concat ? arith::AddIOp::create(b, channel, kb.index(sliceOffset))
                                  : channel;
            kb.storeTile(acc, out, {rowIndex[r], column}, outAlign);
            scf::YieldOp::create(b);
          });
        }
    });
  }
  }
  // A result whose only reader is a concatenation that skips it (its rows
  // are in the slice): a placeholder of the right type that bufferization
  // drops.
  auto placeholder = [&] {
    return tensor::EmptyOp::create(b, resultType.getShape(), element, ValueRange{rows});
  };
  op->getResult(0).replaceAllUsesWith(concat ? placeholder()
                                             : kb.toTensor(out, resultType));
  if (epilogue.tapped)
    op->getResult(1).replaceAllUsesWith(tappedConcat ? placeholder()
                                                     : kb.toTensor(epilogue.tapped, resultType));
  return success();
}

LogicalResult lowerPoolingOp(KernelBuilder &kb, Operation *op, bool &handled) {
  handled = isa<MaxPoolOp, AvgPoolOp, UnpoolOp>(op);
  if (!handled)
    return success();
  auto &b = kb.builder();
  auto user = cast<KernelMapUserOpInterface>(op);
  Value input = op->getOperand(0);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Type element = resultType.getElementType();
  if (!element.isF32())
    return op->emitOpError() << "the CPU lowering supports f32 features only";
  int64_t drop = op->getAttrOfType<IntegerAttr>("features_to_drop")
                     ? op->getAttrOfType<IntegerAttr>("features_to_drop").getInt()
                     : 0;
  int64_t volume = 1;
  for (int64_t s : user.getMapFilterSize())
    volume *= s;
  FailureOr<NeighbourTable> t = getTable(kb, user, volume);
  if (failed(t))
    return failure();
  int64_t channels = resultType.getDimSize(1);
  Value x = kb.toBuffer(input);
  Value out = kb.allocRows(t->rows, channels, element);
  bool isMax = isa<MaxPoolOp>(op);
  kb.parallelRows(t->rows, [&](Value row) {
    for (ChannelTile tile : splitChannels(channels)) {
      auto vecType = VectorType::get({tile.width}, element);
      // SCN: max pooling starts from 0; average and unpooling from 0 too.
      Value acc = kb.splat(vecType, 0.0);
      acc = foldNeighbours(kb, *t, row, acc, [&](Value a, Value inRow, Value) {
        Value xv = kb.loadTile(x, {inRow, kb.index(drop + tile.begin)}, tile.width);
        if (isMax)
          return arith::MaximumFOp::create(b, a, xv).getResult();
        return arith::AddFOp::create(b, a, xv).getResult();
      });
      // SCN: average pooling divides by the full window volume.
      if (isa<AvgPoolOp>(op))
        acc = arith::MulFOp::create(b, acc,
                                    kb.splat(vecType, 1.0 / static_cast<double>(volume)));
      kb.storeTile(acc, out, {row, kb.index(tile.begin)});
    }
  });
  op->getResult(0).replaceAllUsesWith(kb.toTensor(out, resultType));
  return success();
}

} // namespace scn::cpu
