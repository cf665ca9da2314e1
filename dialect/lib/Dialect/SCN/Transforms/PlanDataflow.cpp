//===- PlanDataflow.cpp - record each convolution's kernel schedule -------===//

#include "scn/Dialect/SCN/Transforms/Passes.h"
#include "scn/Dialect/SCN/IR/ChannelTile.h"
#include "scn/Dialect/SCN/IR/SCNDialect.h"
#include "scn/Dialect/SCN/IR/SCNOps.h"
#include "TensorCoreMemory.h"

#include "mlir/IR/Builders.h"

#include <string>

namespace scn {
#define GEN_PASS_DEF_SCNPLANDATAFLOW
#include "scn/Dialect/SCN/Transforms/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn;

namespace {

/// Whether a tensor-core kernel (16x16x16 f16 tiles) fits `op`: a kernel
/// map, one group, input and output channels that are multiples of 16.
bool tensorCoreShape(EpilogueOpInterface op) {
  auto weight = cast<RankedTensorType>(op.getWeightOperand().get().getType());
  return isa<KernelMapUserOpInterface>(op.getOperation()) && weight.getRank() == 4 &&
         weight.getDimSize(1) == 1 && weight.getDimSize(2) % 16 == 0 &&
         weight.getDimSize(3) % 16 == 0;
}

/// The multiplicand type `op` will run on tensor cores with: planned so
/// (dataflow and mma_type written by hand or by an earlier run) or about to
/// be (a tensor-core shape, with tensor cores on); null otherwise.
StringRef tensorCoreTypeOf(Operation *op, bool tensorCores, StringRef planType) {
  auto conv = dyn_cast<EpilogueOpInterface>(op);
  if (!conv)
    return {};
  auto dataflow = op->getAttrOfType<StringAttr>("dataflow");
  if (dataflow ? dataflow.getValue() != "tensor_core" : !(tensorCores && tensorCoreShape(conv)))
    return {};
  auto given = op->getAttrOfType<StringAttr>("mma_type");
  return given ? given.getValue() : planType;
}

/// Whether `op` adds into its output rows (a weight-stationary convolution
/// accumulates each offset there), so that narrower rows would round every
/// partial sum.
bool accumulatesInOutput(Operation *op) {
  auto dataflow = op->getAttrOfType<StringAttr>("dataflow");
  return dataflow && dataflow.getValue() == "weight_stationary";
}

/// The feature rows of `op`: the one f32 [rows, channels] result of an scn
/// op (an input op's other result is its site set; a convolution's is its
/// first), or null.
Value featureRowsOf(Operation *op) {
  if (!isa<SCNDialect>(op->getDialect()))
    return {};
  // A tapped result (an epilogue's tap step) is stored as activations; the
  // storage type is the first result's.
  if (isa<EpilogueOpInterface>(op)) {
    Value first = op->getResult(0);
    return cast<RankedTensorType>(first.getType()).getElementType().isF32() ? first : Value();
  }
  Value rows;
  for (Value result : op->getResults())
    if (auto type = dyn_cast<RankedTensorType>(result.getType());
        type && type.getRank() == 2 && type.getElementType().isF32()) {
      if (rows)
        return {};
      rows = result;
    }
  return rows;
}

/// The multiplicand type, f16 or bf16, that every reader of `rows` rounds
/// them to: when each is a tensor-core convolution of that type reading
/// them as its input; empty otherwise (and for rows nothing reads).
StringRef multiplicandOfReaders(Value rows, bool tensorCores, StringRef planType) {
  StringRef storage;
  for (OpOperand &use : rows.getUses()) {
    StringRef mma = tensorCoreTypeOf(use.getOwner(), tensorCores, planType);
    if (use.getOperandNumber() != 0 || (mma != "f16" && mma != "bf16") ||
        (!storage.empty() && mma != storage))
      return {};
    storage = mma;
  }
  return storage;
}

/// Marks the ops whose feature rows only f16 or bf16 tensor-core
/// convolutions read, as their input, with storage_type = the multiplicand
/// type: those convolutions round every row they gather to it, so storing
/// the rounded rows gives the same results with half the bytes, gathered
/// (W1: all 44 of its tensor-core convolutions' inputs) and written. Rows
/// that anything else reads (a residual, the network's output, a SIMT
/// kernel) stay as they are, and so do rows that their op accumulates in
/// (a weight-stationary convolution, or a concatenation one writes into).
void markMultiplicandStorage(Operation *root, bool tensorCores, StringRef planType,
                             Builder &b) {
  root->walk([&](Operation *op) {
    Value rows = featureRowsOf(op);
    if (!rows || op->hasAttr("storage_type") || accumulatesInOutput(op))
      return;
    StringRef storage = multiplicandOfReaders(rows, tensorCores, planType);
    if (storage.empty())
      return;
    if (auto concat = dyn_cast<ConcatOp>(op))
      for (Value input : concat.getInputs())
        if (Operation *writer = input.getDefiningOp(); writer && accumulatesInOutput(writer))
          return;
    op->setAttr("storage_type",
                TypeAttr::get(storage == "f16" ? Type(b.getF16Type()) : b.getBF16Type()));
  });
}

/// Whether a storage_type written by hand on `op` holds: f16 or bf16, on
/// an scn op's feature rows that only tensor-core convolutions of that
/// multiplicand type read (anything else reading them would get rounded
/// values); else emits the error that says which.
bool checkGivenStorage(Operation *op, bool tensorCores, StringRef planType) {
  Attribute given = op->getAttr("storage_type");
  if (!given)
    return true;
  auto type = dyn_cast<TypeAttr>(given);
  if (!type || !(type.getValue().isF16() || type.getValue().isBF16())) {
    op->emitOpError() << "has storage_type = " << given << "; it must be f16 or bf16";
    return false;
  }
  Value rows = featureRowsOf(op);
  if (!rows) {
    op->emitOpError() << "has storage_type = " << given
                      << " but no feature rows (one f32 [rows, channels] result) to store";
    return false;
  }
  std::string wanted = type.getValue().isF16() ? "f16" : "bf16";
  if (multiplicandOfReaders(rows, tensorCores, planType) != wanted) {
    op->emitOpError() << "has storage_type = " << given
                      << ", but its rows are read by other than tensor-core convolutions "
                         "with mma_type \""
                      << wanted
                      << "\" (as their input), which storing them rounded would change";
    return false;
  }
  return true;
}

struct SCNPlanDataflowPass
    : scn::impl::SCNPlanDataflowBase<SCNPlanDataflowPass> {
  using Base::Base;
  void runOnOperation() override {
    Builder b(&getContext());
    if (target != "cpu" && target != "cuda") {
      getOperation()->emitError() << "scn-plan-dataflow: target '" << target
                                  << "' is neither cpu nor cuda";
      return signalPassFailure();
    }
    if (!llvm::is_contained({0, 16, 32, 64, 128}, tensorCoreColumns.getValue())) {
      getOperation()->emitError() << "scn-plan-dataflow: tensor-core-columns "
                                  << tensorCoreColumns.getValue()
                                  << " is not 16, 32, 64 or 128 (or 0, the plan's)";
      return signalPassFailure();
    }
    if (tensorCoreBlockWarps != 4 && tensorCoreBlockWarps != 8) {
      getOperation()->emitError() << "scn-plan-dataflow: tensor-core-block-warps "
                                  << tensorCoreBlockWarps.getValue() << " is not 4 or 8";
      return signalPassFailure();
    }
    if (tensorCoreClusterBlocks != 1 && tensorCoreClusterBlocks != 2) {
      getOperation()->emitError() << "scn-plan-dataflow: tensor-core-cluster-blocks "
                                  << tensorCoreClusterBlocks.getValue() << " is not 1 or 2";
      return signalPassFailure();
    }
    if (tensorCoreRows != 0 && tensorCoreRows != 16 && tensorCoreRows != 32 &&
        tensorCoreRows != 64) {
      getOperation()->emitError() << "scn-plan-dataflow: tensor-core-rows "
                                  << tensorCoreRows.getValue() << " is not 16, 32 or 64";
      return signalPassFailure();
    }
    if (tensorCoreType != "f16" && tensorCoreType != "bf16" && tensorCoreType != "tf32") {
      getOperation()->emitError() << "scn-plan-dataflow: tensor-core-type '"
                                  << tensorCoreType << "' is not f16, bf16 or tf32";
      return signalPassFailure();
    }
    if (tensorCoreWeights != "global" && tensorCoreWeights != "shared" &&
        tensorCoreWeights != "large" && tensorCoreWeights != "staged" &&
        tensorCoreWeights != "block") {
      getOperation()->emitError() << "scn-plan-dataflow: tensor-core-weights '"
                                  << tensorCoreWeights
                                  << "' is not global, shared, large, staged or block";
      return signalPassFailure();
    }
    if (tensorCoreGathers != "registers" && tensorCoreGathers != "async") {
      getOperation()->emitError() << "scn-plan-dataflow: tensor-core-gathers '"
                                  << tensorCoreGathers << "' is not registers or async";
      return signalPassFailure();
    }
    if (activationBytes != 2 && activationBytes != 4) {
      getOperation()->emitError() << "scn-plan-dataflow: activation-bytes "
                                  << activationBytes.getValue() << " is not 2 or 4";
      return signalPassFailure();
    }
    if (tensorCoreStages < 2 || tensorCoreStages > 8) {
      getOperation()->emitError() << "scn-plan-dataflow: tensor-core-stages "
                                  << tensorCoreStages.getValue() << " is not 2 to 8";
      return signalPassFailure();
    }
    if (target == "cuda") {
      bool planFailed = false;
      // A storage type written by hand must be one the lowering stores, on
      // rows only tensor cores of that type read.
      getOperation()->walk([&](Operation *op) {
        if (!checkGivenStorage(op, tensorCores, tensorCoreType))
          planFailed = true;
      });
      if (planFailed)
        return signalPassFailure();
      // Before the schedules: the async gathers' stages hold rows as stored.
      if (tensorCores && narrowTensorCoreInputs && activationBytes == 4)
        markMultiplicandStorage(getOperation(), tensorCores, tensorCoreType, b);
      getOperation()->walk([&](EpilogueOpInterface op) {
        // Schedule attributes of the wrong kind written by hand: an error
        // that names them, not a null attribute read below.
        for (StringRef name :
             {"rows_per_tile", "channel_tile", "gather_stages", "loads_in_flight",
              "block_warps", "cluster_blocks"})
          if (Attribute given = op->getAttr(name); given && !isa<IntegerAttr>(given)) {
            op->emitOpError() << "has " << name << " = " << given << "; it must be an integer";
            planFailed = true;
            return;
          }
        for (StringRef name : {"dataflow", "mma_type", "weights_memory", "gathers"})
          if (Attribute given = op->getAttr(name); given && !isa<StringAttr>(given)) {
            op->emitOpError() << "has " << name << " = " << given << "; it must be a string";
            planFailed = true;
            return;
          }
        if (tensorCores && !op->hasAttr("dataflow") && tensorCoreShape(op))
          op->setAttr("dataflow", b.getStringAttr("tensor_core"));
        // Tensor-core ops, planned here or written by hand, get the tile
        // attributes of a tensor-core warp, not those of a SIMT kernel.
        auto dataflow = op->getAttrOfType<StringAttr>("dataflow");
        if (dataflow && dataflow.getValue() == "tensor_core") {
          if (!op->hasAttr("mma_type"))
            op->setAttr("mma_type", b.getStringAttr(tensorCoreType));
          // One row tile of 16 rows a warp. Two or four share each weight
          // fragment (fewer bytes per mma) but take more registers (96-143
          // a lane at 32 rows: 19-31% occupancy) and give fewer warps to
          // the small layers deep in a UNet; on an H200 (2026-11-27) W1's
          // kernels took 10.6 ms at 16 rows, 16.3 ms at 32 (bench/gpu).
          if (!op->hasAttr("rows_per_tile"))
            op->setAttr("rows_per_tile",
                        b.getI64IntegerAttr(tensorCoreRows ? tensorCoreRows : 16));
          if (tensorCoreLoads > 0 && !op->hasAttr("loads_in_flight"))
            op->setAttr("loads_in_flight", b.getI64IntegerAttr(tensorCoreLoads));
          // Weights and gathers in shared memory (TensorCoreMemory.cpp).
          if (!planTensorCoreMemory(op, {tensorCoreWeights, tensorCoreSharedMinWeights,
                                         tensorCoreGathers, tensorCoreStages,
                                         tensorCoreSharedBytes, activationBytes,
                                         tensorCoreWgmma, tensorCoreColumns,
                                         tensorCoreBlockWarps, tensorCoreClusterBlocks}))
            planFailed = true;
        }
        if (!op->hasAttr("dataflow"))
          op->setAttr("dataflow", b.getStringAttr("channel_parallel"));
        // A thread per row tile x `simt-channel-tile` channels (4 by
        // default: on an H200, 2026-11-27, W1's fp32 kernels took 33.8 ms
        // at 4 x 4 against 51.6 at 4 x 1, 40.6 at 2 x 8 and 38.1 at 4 x 8;
        // W3 C128's convolution 2.06 against 3.74 ms; bench/gpu/README.md).
        int64_t outPerGroup =
            cast<RankedTensorType>(op.getWeightOperand().get().getType()).getShape().back();
        constexpr int64_t kSimtChannels = 4;
        if (!op->hasAttr("channel_tile"))
          op->setAttr("channel_tile",
                      b.getI64IntegerAttr(channelTileWidth(
                          outPerGroup, simtChannelTile > 0 ? simtChannelTile : kSimtChannels)));
        if (!op->hasAttr("rows_per_tile"))
          op->setAttr("rows_per_tile", b.getI64IntegerAttr(rowsPerTile > 0 ? rowsPerTile : 4));
      });
      if (planFailed)
        return signalPassFailure();
      // Summed input rows (modes 3, 4): a parallel scatter with atomic adds,
      // not a sequential loop, which would run on the host.
      getOperation()->walk([&](Operation *op) {
        auto mode = op->getAttrOfType<IntegerAttr>("mode");
        if (isa<InputOp, BLInputOp>(op) && mode && mode.getInt() >= 3 &&
            !op->hasAttr("input_merge"))
          op->setAttr("input_merge", b.getStringAttr("atomic"));
      });
      return;
    }
    getOperation()->walk([&](EpilogueOpInterface op) {
      auto weight = cast<RankedTensorType>(op.getWeightOperand().get().getType());
      int64_t outPerGroup = weight.getShape().back();
      int64_t inPerGroup = weight.getRank() == 4 ? weight.getDimSize(2)
                                                 : weight.getDimSize(0);
      // The weight-stationary kernel reads the map's pair lists, which a
      // run builds once for all the convolutions that read the map the same
      // way: a narrow layer alone on its map pays them alone (pooling reads
      // the neighbour table, not the lists).
      int64_t minChannels = weightStationaryMinChannels;
      auto user = dyn_cast<KernelMapUserOpInterface>(op.getOperation());
      if (user && user.getKernelMap() &&
          llvm::count_if(user.getKernelMap().getUsers(), [&](Operation *other) {
            auto reader = dyn_cast<KernelMapUserOpInterface>(other);
            return reader && isa<EpilogueOpInterface>(other) &&
                   reader.readsMapTransposed() == user.readsMapTransposed();
          }) == 1)
        minChannels = std::max(minChannels, weightStationaryMinChannelsAlone.getValue());
      bool weightStationary = user && weightStationaryMinChannels > 0 &&
                              inPerGroup >= minChannels && outPerGroup >= minChannels;
      if (auto given = op->getAttrOfType<StringAttr>("dataflow"))
        weightStationary = given.getValue() == "weight_stationary";
      else
        op->setAttr("dataflow", b.getStringAttr(weightStationary ? "weight_stationary"
                                                                 : "output_stationary"));
      if (!op->hasAttr("channel_tile"))
        op->setAttr("channel_tile",
                    b.getI64IntegerAttr(channelTileWidth(outPerGroup, maxChannelTile)));
      int64_t rows = rowsPerTile > 0 ? rowsPerTile
                     : weightStationary ? 8
                     : inPerGroup * outPerGroup >= 8192 ? 4
                                                        : 2;
      if (!op->hasAttr("rows_per_tile"))
        op->setAttr("rows_per_tile", b.getI64IntegerAttr(rows));
    });
  }
};

} // namespace
