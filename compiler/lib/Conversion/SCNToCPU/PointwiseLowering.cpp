//===- PointwiseLowering.cpp - batch norm, activations, tables ------------===//
//
// Row-parallel loops over vector tiles of channels. These ops are what
// scn-fuse-epilogue could not fuse (for example the pre-activation batch
// norms of SparseConvNet's residual blocks, whose input has two uses).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace scn::cpu {

namespace {
/// Channels [channel, channel + width) of one row. `aligned`: `channel` is
/// a multiple of `width`, so the tile's loads and stores may claim the
/// alignment of buffers that allow it (alignmentOf).
struct RowTile {
  Value row, channel;
  int64_t width;
  bool aligned;
};
} // namespace

/// The tile `t` of `buffer`: of its row t.row, or for a per-channel buffer
/// ([C]: batch-norm scales) the same channels.
static Value loadTile(KernelBuilder &kb, Value buffer, const RowTile &t) {
  SmallVector<Value, 2> indices;
  if (cast<MemRefType>(buffer.getType()).getRank() == 2)
    indices.push_back(t.row);
  indices.push_back(t.channel);
  return kb.loadTile(buffer, indices, t.width, t.aligned ? alignmentOf(buffer, t.width) : 0);
}

/// Calls `body` for every tile of `channels` channels of `rows` rows. On
/// the CPU, an iteration per row over its static channel tiles (whole
/// vector registers). On the GPU, an iteration (a thread) per 4 channels
/// of a row when the channels allow it: neighbouring threads then touch
/// neighbouring 16 bytes, each by one aligned load or store. A thread per
/// row (the CPU's shape) would read 32 rows at once per load instruction
/// and hold a whole row in registers (W1: up to 128 a thread, 1024 scalar
/// loads a kernel).
static void forEachRowTile(KernelBuilder &kb, Value rows, int64_t channels,
                           function_ref<void(const RowTile &)> body) {
  auto &b = kb.builder();
  constexpr int64_t kGPUTile = 4;
  if (kb.forGPU() && channels % kGPUTile == 0) {
    int64_t tilesPerRow = channels / kGPUTile;
    kb.parallelRows(arith::MulIOp::create(b, rows, kb.index(tilesPerRow)), [&](Value i) {
      Value row = arith::DivUIOp::create(b, i, kb.index(tilesPerRow));
      Value channel = arith::MulIOp::create(
          b, arith::RemUIOp::create(b, i, kb.index(tilesPerRow)), kb.index(kGPUTile));
      body(RowTile{row, channel, kGPUTile, true});
    });
    return;
  }
  kb.parallelRows(rows, [&](Value row) {
    for (ChannelTile t : splitChannels(channels))
      body(RowTile{row, kb.index(t.begin), t.width, false});
  });
}

/// out[r, tile] = f(tile of row r) for every row of `x` and every tile.
static Value mapRows(KernelBuilder &kb, Value x, int64_t channels,
                     function_ref<Value(const RowTile &)> f) {
  auto &b = kb.builder();
  Value rows = memref::DimOp::create(b, x, 0);
  Value out = kb.allocRows(rows, channels, b.getF32Type());
  forEachRowTile(kb, rows, channels, [&](const RowTile &t) {
    kb.storeTile(f(t), out, {t.row, t.channel},
                 t.aligned ? alignmentOf(out, t.width) : 0);
  });
  return out;
}

/// Batch norm: y = x * scale + shift then the leaky activation, with
/// scale = weight / sqrt(var + eps), shift = bias - mean * scale from either
/// the running statistics (eval) or the batch statistics (training).
static LogicalResult lowerBatchNorm(KernelBuilder &kb, BatchNormOp bn) {
  auto &b = kb.builder();
  auto type = cast<RankedTensorType>(bn.getInput().getType());
  if (!type.getElementType().isF32())
    return bn.emitOpError() << "the CPU lowering supports f32 features only";
  int64_t channels = type.getDimSize(1);
  auto vecType = VectorType::get({channels}, b.getF32Type());
  Value x = kb.toBuffer(bn.getInput());
  Value meanBuf = kb.toBuffer(bn.getRunningMean());
  Value varBuf = kb.toBuffer(bn.getRunningVar());
  Value gammaBuf = bn.getWeight() ? kb.toBuffer(bn.getWeight()) : Value();
  Value betaBuf = bn.getBias() ? kb.toBuffer(bn.getBias()) : Value();
  auto load = [&](Value buffer, double fill) {
    return buffer ? kb.loadTile(buffer, {kb.index(0)}, channels) : kb.splat(vecType, fill);
  };
  // 1 / sqrt rather than rsqrt: libm has no rsqrtf, and this matches the
  // reference's rounding. On vectors of all channels or on one channel's
  // scalars, the same operations, so the same results (in GPU kernels too:
  // scn-gpu-offload makes their square roots correctly rounded).
  auto scaleAndShift = [&](Value mean, Value var, Value gamma, Value beta,
                           Value eps) -> std::pair<Value, Value> {
    Value scale = arith::DivFOp::create(
        b, gamma, math::SqrtOp::create(b, arith::AddFOp::create(b, var, eps)));
    Value shift = arith::SubFOp::create(b, beta, arith::MulFOp::create(b, mean, scale));
    return {scale, shift};
  };
  // Through small buffers, so that each channel tile reads its slice.
  auto paramType = MemRefType::get({channels}, b.getF32Type());
  Value scaleBuf, shiftBuf;
  Value rows = memref::DimOp::create(b, x, 0);
  Value count, runningMean, runningVar, mean, var;
  if (kb.forGPU() && !bn.getTraining()) {
    // On the GPU a kernel with a thread per channel computes them, so that
    // the parameters stay in device memory and the host neither computes
    // nor waits.
    scaleBuf = memref::AllocOp::create(b, paramType);
    shiftBuf = memref::AllocOp::create(b, paramType);
    kb.parallelRows(kb.index(channels), [&](Value c) {
      auto scalar = [&](Value buffer, double fill) {
        return buffer ? memref::LoadOp::create(b, buffer, ValueRange{c}).getResult()
                      : kb.f32(fill);
      };
      auto [scale, shift] =
          scaleAndShift(scalar(meanBuf, 0.0), scalar(varBuf, 1.0), scalar(gammaBuf, 1.0),
                        scalar(betaBuf, 0.0), kb.f32(bn.getEps().convertToDouble()));
      memref::StoreOp::create(b, scale, scaleBuf, ValueRange{c});
      memref::StoreOp::create(b, shift, shiftBuf, ValueRange{c});
    });
  } else {
    runningMean = mean = load(meanBuf, 0.0);
    runningVar = var = load(varBuf, 1.0);
  }
  if (bn.getTraining()) {
    // SCN: statistics over all active sites of the batch, biased variance
    // E[x^2] - E[x]^2 for normalising.
    Value zero = kb.splat(vecType, 0.0);
    Value sum = kb.forLoopCarry(rows, zero, [&](Value r, Value acc) {
      return arith::AddFOp::create(b, acc, kb.loadTile(x, {r, kb.index(0)}, channels))
          .getResult();
    });
    Value sumSq = kb.forLoopCarry(rows, zero, [&](Value r, Value acc) {
      Value v = kb.loadTile(x, {r, kb.index(0)}, channels);
      return vector::FMAOp::create(b, v, v, acc).getResult();
    });
    count = arith::UIToFPOp::create(b, b.getF32Type(), kb.toI64(rows));
    Value countSafe = arith::MaximumFOp::create(b, count, kb.f32(1.0));
    Value countV = vector::BroadcastOp::create(b, vecType, countSafe);
    mean = arith::DivFOp::create(b, sum, countV);
    Value meanSq = arith::DivFOp::create(b, sumSq, countV);
    var = arith::SubFOp::create(b, meanSq, arith::MulFOp::create(b, mean, mean));
    var = arith::MaximumFOp::create(b, var, zero);
  }
  if (!scaleBuf) {
    auto [scale, shift] = scaleAndShift(mean, var, load(gammaBuf, 1.0), load(betaBuf, 0.0),
                                        kb.splat(vecType, bn.getEps().convertToDouble()));
    scaleBuf = memref::AllocaOp::create(b, paramType);
    shiftBuf = memref::AllocaOp::create(b, paramType);
    kb.storeTile(scale, scaleBuf, {kb.index(0)});
    kb.storeTile(shift, shiftBuf, {kb.index(0)});
  }
  double leak = bn.getLeakiness().convertToDouble();
  Value out = mapRows(kb, x, channels, [&](const RowTile &t) {
    Value y = vector::FMAOp::create(b, loadTile(kb, x, t), loadTile(kb, scaleBuf, t),
                                    loadTile(kb, shiftBuf, t));
    if (leak != 1.0)
      y = applyActivation(kb, EpilogueKind::leaky_relu, leak, y);
    return y;
  });
  bn.getOutput().replaceAllUsesWith(kb.toTensor(out, type));
  if (bn.getTraining()) {
    // SCN's momentum convention: r = momentum * r + (1 - momentum) * stat,
    // with the unbiased variance; one site leaves running_var unchanged.
    double m = bn.getMomentum().convertToDouble();
    Value keep = kb.splat(vecType, m), take = kb.splat(vecType, 1.0 - m);
    Value newMean = arith::AddFOp::create(b, arith::MulFOp::create(b, keep, runningMean),
                                          arith::MulFOp::create(b, take, mean));
    Value countMinusOne = arith::SubFOp::create(b, count, kb.f32(1.0));
    Value many = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, count, kb.f32(1.0));
    Value ratio = arith::DivFOp::create(
        b, count, arith::MaximumFOp::create(b, countMinusOne, kb.f32(1.0)));
    Value unbiased = arith::MulFOp::create(b, var, vector::BroadcastOp::create(b, vecType, ratio));
    Value updatedVar = arith::AddFOp::create(b, arith::MulFOp::create(b, keep, runningVar),
                                             arith::MulFOp::create(b, take, unbiased));
    Value newVar = arith::SelectOp::create(b, many, updatedVar, runningVar);
    auto statType = MemRefType::get({channels}, b.getF32Type());
    SmallVector<Value, 2> stats = {newMean, newVar};
    for (auto [value, result] : llvm::zip(stats, bn.getUpdatedStats())) {
      Value buffer = memref::AllocOp::create(b, statType);
      kb.storeTile(value, buffer, {kb.index(0)});
      result.replaceAllUsesWith(kb.toTensor(buffer, result.getType()));
    }
  }
  return success();
}

/// Training-mode dropout: zero each entry with probability p (no rescaling,
/// as SparseConvNet). The random stream is a counter-based hash of the entry
/// index, so results do not depend on the thread count.
static Value dropoutTraining(KernelBuilder &kb, Value x, int64_t channels,
                             double p) {
  auto &b = kb.builder();
  Value rows = memref::DimOp::create(b, x, 0);
  Value out = kb.allocRows(rows, channels, b.getF32Type());
  kb.parallelRows(rows, [&](Value row) {
    kb.forLoop(kb.index(channels), [&](Value c) {
      Value flat = arith::AddIOp::create(
          b, arith::MulIOp::create(b, row, kb.index(channels)), c);
      // splitmix64 finaliser of the entry index.
      Value h = kb.toI64(flat);
      h = arith::MulIOp::create(b, arith::AddIOp::create(b, h, kb.i64(0x9E3779B97F4A7C15LL)),
                                kb.i64(static_cast<int64_t>(0xBF58476D1CE4E5B9ULL)));
      h = arith::XOrIOp::create(b, h, arith::ShRUIOp::create(b, h, kb.i64(31)));
      Value bits = arith::AndIOp::create(b, h, kb.i64((1 << 24) - 1));
      Value u = arith::DivFOp::create(b, arith::UIToFPOp::create(b, b.getF32Type(), bits),
                                      kb.f32(16777216.0));
      Value keep = arith::CmpFOp::create(b, arith::CmpFPredicate::OGE, u, kb.f32(p));
      Value v = memref::LoadOp::create(b, x, ValueRange{row, c});
      Value y = arith::SelectOp::create(b, keep, v, kb.f32(0.0));
      memref::StoreOp::create(b, y, out, ValueRange{row, c});
    });
  });
  return out;
}

LogicalResult lowerPointwiseOp(KernelBuilder &kb, Operation *op, bool &handled) {
  auto &b = kb.builder();
  handled = true;
  auto unary = [&](EpilogueKind kind, double alpha) -> LogicalResult {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    if (!type.getElementType().isF32())
      return op->emitOpError() << "the CPU lowering supports f32 features only";
    Value x = kb.toBuffer(op->getOperand(0));
    Value out = mapRows(kb, x, type.getDimSize(1), [&](const RowTile &t) {
      return applyActivation(kb, kind, alpha, loadTile(kb, x, t));
    });
    op->getResult(0).replaceAllUsesWith(kb.toTensor(out, type));
    return success();
  };
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](BatchNormOp bn) { return lowerBatchNorm(kb, bn); })
      .Case([&](ReLUOp) { return unary(EpilogueKind::relu, 0.0); })
      .Case([&](LeakyReLUOp o) {
        return unary(EpilogueKind::leaky_relu, o.getAlpha().convertToDouble());
      })
      .Case([&](SigmoidOp) { return unary(EpilogueKind::sigmoid, 0.0); })
      .Case([&](TanhOp) { return unary(EpilogueKind::tanh, 0.0); })
      .Case([&](ELUOp o) {
        return unary(EpilogueKind::elu, o.getAlpha().convertToDouble());
      })
      .Case([&](SELUOp) { return unary(EpilogueKind::selu, 0.0); })
      .Case([&](DropoutOp d) -> LogicalResult {
        auto type = d.getType();
        int64_t channels = type.getDimSize(1);
        Value x = kb.toBuffer(d.getInput());
        double p = d.getP().convertToDouble();
        Value out;
        if (d.getTraining()) {
          out = dropoutTraining(kb, x, channels, p);
        } else {
          // SCN: inference dropout scales by (1 - p).
          out = mapRows(kb, x, channels, [&](const RowTile &t) {
            auto vecType = VectorType::get({t.width}, b.getF32Type());
            return arith::MulFOp::create(b, loadTile(kb, x, t), kb.splat(vecType, 1.0 - p))
                .getResult();
          });
        }
        d.getOutput().replaceAllUsesWith(kb.toTensor(out, type));
        return success();
      })
      .Case([&](AddOp add) -> LogicalResult {
        auto type = add.getType();
        SmallVector<Value> inputs;
        for (Value v : add.getInputs())
          inputs.push_back(kb.toBuffer(v));
        Value out = mapRows(kb, inputs.front(), type.getDimSize(1), [&](const RowTile &t) {
          Value acc = loadTile(kb, inputs.front(), t);
          for (Value in : llvm::drop_begin(inputs))
            acc = arith::AddFOp::create(b, acc, loadTile(kb, in, t));
          return acc;
        });
        add.getOutput().replaceAllUsesWith(kb.toTensor(out, type));
        return success();
      })
      .Case([&](ConcatOp concat) -> LogicalResult {
        auto type = cast<RankedTensorType>(concat.getType());
        // Operands whose producer already wrote into the result buffer.
        SmallVector<Value> inputs;
        for (auto [index, v] : llvm::enumerate(concat.getInputs()))
          inputs.push_back(kb.isWrittenIntoConcat(concat, index) ? Value()
                                                                 : kb.toBuffer(v));
        Value rows = !inputs.front()
                         ? tensor::DimOp::create(b, concat.getInputs()[0], 0).getResult()
                         : memref::DimOp::create(b, inputs.front(), 0).getResult();
        Value out = kb.getConcatBuffer(concat, rows);
        auto copyInto = [&](Value in, const RowTile &t, int64_t offset) {
          Value column = arith::AddIOp::create(b, t.channel, kb.index(offset));
          kb.storeTile(loadTile(kb, in, t), out, {t.row, column},
                       t.aligned ? alignmentOf(out, t.width, offset) : 0);
        };
        if (kb.forGPU()) {
          // A kernel per input copied, with the GPU's tiles (forEachRowTile).
          int64_t offset = 0;
          for (auto [index, in] : llvm::enumerate(inputs)) {
            int64_t c = cast<RankedTensorType>(concat.getInputs()[index].getType())
                            .getDimSize(1);
            if (in)
              forEachRowTile(kb, rows, c,
                             [&](const RowTile &t) { copyInto(in, t, offset); });
            offset += c;
          }
        } else {
          kb.parallelRows(rows, [&](Value row) {
            int64_t offset = 0;
            for (auto [index, in] : llvm::enumerate(inputs)) {
              int64_t c = cast<RankedTensorType>(concat.getInputs()[index].getType())
                              .getDimSize(1);
              if (in)
                for (ChannelTile t : splitChannels(c))
                  copyInto(in, RowTile{row, kb.index(t.begin), t.width, false}, offset);
              offset += c;
            }
          });
        }
        concat.getOutput().replaceAllUsesWith(kb.toTensor(out, type));
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}

} // namespace scn::cpu
