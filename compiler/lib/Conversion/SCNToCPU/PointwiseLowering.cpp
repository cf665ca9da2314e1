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

/// out[r, tile] = f(tile of row r) for every row of `x` and every tile.
static Value mapRows(KernelBuilder &kb, Value x, int64_t channels,
                     function_ref<Value(const RowTile &)> f) {
  auto &b = kb.builder();
  Value rows = memref::DimOp::create(b, x, 0);
  Value out = kb.allocRows(rows, channels, b.getF32Type());
  forEachRowTile(kb, rows, channels, [&](const RowTile &t) {
    storeTile(kb, f(t), out, t);
  });
  return out;
}

/// Per-channel sums of `x` and of its squares over its `rows` rows ([C]
/// buffers), by two GPU kernels, so that the statistics of a training batch
/// norm never leave the GPU: a thread per (chunk of kRowsPerChunk rows,
/// channel) sums its chunk, neighbouring threads reading neighbouring
/// channels of a row, then a thread per channel sums the chunks in order.
/// The sums are in a fixed order, so runs repeat bit for bit; the order is
/// not the CPU's (rows one after another), so the last bits may differ.
static std::pair<Value, Value> channelSumsOnGPU(KernelBuilder &kb, Value x, Value rows,
                                                int64_t channels) {
  auto &b = kb.builder();
  constexpr int64_t kRowsPerChunk = 256;
  Type f32 = b.getF32Type();
  Value chunks = arith::CeilDivUIOp::create(b, rows, kb.index(kRowsPerChunk));
  Value partials = arith::MulIOp::create(b, chunks, kb.index(channels));
  auto dynamic = MemRefType::get({ShapedType::kDynamic}, f32);
  Value partialSum = memref::AllocOp::create(b, dynamic, ValueRange{partials});
  Value partialSquares = memref::AllocOp::create(b, dynamic, ValueRange{partials});
  Value zero = kb.f32(0.0);
  kb.parallelRows(partials, [&](Value i) {
    Value chunk = arith::DivUIOp::create(b, i, kb.index(channels));
    Value c = arith::RemUIOp::create(b, i, kb.index(channels));
    Value begin = arith::MulIOp::create(b, chunk, kb.index(kRowsPerChunk));
    Value end = arith::MinUIOp::create(
        b, rows, arith::AddIOp::create(b, begin, kb.index(kRowsPerChunk)));
    auto sums = kb.forLoopCarryN(
        arith::SubIOp::create(b, end, begin), ValueRange{zero, zero},
        [&](Value offset, ValueRange acc) -> SmallVector<Value> {
          Value v = kb.loadElement(
              x, ValueRange{arith::AddIOp::create(b, begin, offset).getResult(), c});
          return {arith::AddFOp::create(b, acc[0], v), math::FmaOp::create(b, v, v, acc[1])};
        });
    memref::StoreOp::create(b, sums[0], partialSum, ValueRange{i});
    memref::StoreOp::create(b, sums[1], partialSquares, ValueRange{i});
  });
  auto perChannel = MemRefType::get({channels}, f32);
  Value sumBuf = memref::AllocOp::create(b, perChannel);
  Value squaresBuf = memref::AllocOp::create(b, perChannel);
  kb.parallelRows(kb.index(channels), [&](Value c) {
    auto sums = kb.forLoopCarryN(
        chunks, ValueRange{zero, zero}, [&](Value chunk, ValueRange acc) -> SmallVector<Value> {
          Value at = arith::AddIOp::create(
              b, arith::MulIOp::create(b, chunk, kb.index(channels)), c);
          return {arith::AddFOp::create(b, acc[0],
                                        memref::LoadOp::create(b, partialSum, ValueRange{at})),
                  arith::AddFOp::create(
                      b, acc[1], memref::LoadOp::create(b, partialSquares, ValueRange{at}))};
        });
    memref::StoreOp::create(b, sums[0], sumBuf, ValueRange{c});
    memref::StoreOp::create(b, sums[1], squaresBuf, ValueRange{c});
  });
  return {sumBuf, squaresBuf};
}

/// Batch norm: y = x * scale + shift then the leaky activation, with
/// scale = weight / sqrt(var + eps), shift = bias - mean * scale from either
/// the running statistics (eval) or the batch statistics (training). The
/// formulas below take vectors of all channels (CPU) or one channel's
/// scalars (GPU, a thread per channel): the same operations, so the same
/// results from the same sums.
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
  bool training = bn.getTraining();
  Value rows = memref::DimOp::create(b, x, 0);
  // A constant shaped like `like` (a vector of all channels or a scalar).
  auto splatLike = [&](Value like, double v) -> Value {
    if (auto vector = dyn_cast<VectorType>(like.getType()))
      return kb.splat(vector, v);
    return kb.f32(v);
  };
  auto broadcastLike = [&](Value like, Value scalar) -> Value {
    if (auto vector = dyn_cast<VectorType>(like.getType()))
      return vector::BroadcastOp::create(b, vector, scalar);
    return scalar;
  };
  // 1 / sqrt rather than rsqrt: libm has no rsqrtf, and this matches the
  // reference's rounding (in GPU kernels too: scn-gpu-offload makes their
  // square roots correctly rounded).
  auto scaleAndShift = [&](Value mean, Value var, Value gamma,
                           Value beta) -> std::pair<Value, Value> {
    Value eps = splatLike(mean, bn.getEps().convertToDouble());
    Value scale = arith::DivFOp::create(
        b, gamma, math::SqrtOp::create(b, arith::AddFOp::create(b, var, eps)));
    Value shift = arith::SubFOp::create(b, beta, arith::MulFOp::create(b, mean, scale));
    return {scale, shift};
  };
  // SCN: statistics over all active sites of the batch, biased variance
  // E[x^2] - E[x]^2 for normalising. `count` is the f32 row count.
  Value count = training ? arith::UIToFPOp::create(b, b.getF32Type(), kb.toI64(rows)).getResult()
                         : Value();
  auto batchStatistics = [&](Value sum, Value squares) -> std::pair<Value, Value> {
    Value countSafe = broadcastLike(sum, arith::MaximumFOp::create(b, count, kb.f32(1.0)));
    Value mean = arith::DivFOp::create(b, sum, countSafe);
    Value meanSq = arith::DivFOp::create(b, squares, countSafe);
    Value var = arith::SubFOp::create(b, meanSq, arith::MulFOp::create(b, mean, mean));
    return {mean, arith::MaximumFOp::create(b, var, splatLike(var, 0.0))};
  };
  // SCN's momentum convention: r = momentum * r + (1 - momentum) * stat,
  // with the unbiased variance; one site leaves running_var unchanged.
  auto updatedRunning = [&](Value runningMean, Value runningVar, Value mean,
                            Value var) -> std::pair<Value, Value> {
    double m = bn.getMomentum().convertToDouble();
    Value keep = splatLike(mean, m), take = splatLike(mean, 1.0 - m);
    Value newMean = arith::AddFOp::create(b, arith::MulFOp::create(b, keep, runningMean),
                                          arith::MulFOp::create(b, take, mean));
    Value countMinusOne = arith::SubFOp::create(b, count, kb.f32(1.0));
    Value many = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, count, kb.f32(1.0));
    Value ratio = arith::DivFOp::create(
        b, count, arith::MaximumFOp::create(b, countMinusOne, kb.f32(1.0)));
    Value unbiased = arith::MulFOp::create(b, var, broadcastLike(var, ratio));
    Value updatedVar = arith::AddFOp::create(b, arith::MulFOp::create(b, keep, runningVar),
                                             arith::MulFOp::create(b, take, unbiased));
    return {newMean, arith::SelectOp::create(b, many, updatedVar, runningVar)};
  };

  auto paramType = MemRefType::get({channels}, b.getF32Type());
  Value scaleBuf, shiftBuf, newMeanBuf, newVarBuf;
  if (kb.forGPU()) {
    // Kernels compute the statistics, scales and shifts, so that the
    // parameters and statistics stay in device memory and the host neither
    // computes nor waits.
    Value sumBuf, squaresBuf;
    if (training) {
      std::tie(sumBuf, squaresBuf) = channelSumsOnGPU(kb, x, rows, channels);
      newMeanBuf = kb.allocAligned(paramType);
      newVarBuf = kb.allocAligned(paramType);
    }
    scaleBuf = kb.allocAligned(paramType);
    shiftBuf = kb.allocAligned(paramType);
    kb.parallelRows(kb.index(channels), [&](Value c) {
      auto scalar = [&](Value buffer, double fill) {
        return buffer ? memref::LoadOp::create(b, buffer, ValueRange{c}).getResult()
                      : kb.f32(fill);
      };
      Value runningMean = scalar(meanBuf, 0.0), runningVar = scalar(varBuf, 1.0);
      auto [mean, var] = training ? batchStatistics(scalar(sumBuf, 0.0), scalar(squaresBuf, 0.0))
                                  : std::make_pair(runningMean, runningVar);
      auto [scale, shift] = scaleAndShift(mean, var, scalar(gammaBuf, 1.0), scalar(betaBuf, 0.0));
      memref::StoreOp::create(b, scale, scaleBuf, ValueRange{c});
      memref::StoreOp::create(b, shift, shiftBuf, ValueRange{c});
      if (training) {
        auto [newMean, newVar] = updatedRunning(runningMean, runningVar, mean, var);
        memref::StoreOp::create(b, newMean, newMeanBuf, ValueRange{c});
        memref::StoreOp::create(b, newVar, newVarBuf, ValueRange{c});
      }
    });
  } else {
    auto load = [&](Value buffer, double fill) {
      return buffer ? kb.loadTile(buffer, {kb.index(0)}, channels) : kb.splat(vecType, fill);
    };
    Value runningMean = load(meanBuf, 0.0), runningVar = load(varBuf, 1.0);
    Value mean = runningMean, var = runningVar;
    if (training) {
      Value zero = kb.splat(vecType, 0.0);
      Value sum = kb.forLoopCarry(rows, zero, [&](Value r, Value acc) {
        return arith::AddFOp::create(b, acc, kb.loadTile(x, {r, kb.index(0)}, channels))
            .getResult();
      });
      Value squares = kb.forLoopCarry(rows, zero, [&](Value r, Value acc) {
        Value v = kb.loadTile(x, {r, kb.index(0)}, channels);
        return vector::FMAOp::create(b, v, v, acc).getResult();
      });
      std::tie(mean, var) = batchStatistics(sum, squares);
    }
    auto [scale, shift] = scaleAndShift(mean, var, load(gammaBuf, 1.0), load(betaBuf, 0.0));
    // Through small buffers, so that each channel tile reads its slice.
    scaleBuf = memref::AllocaOp::create(b, paramType);
    shiftBuf = memref::AllocaOp::create(b, paramType);
    kb.storeTile(scale, scaleBuf, {kb.index(0)});
    kb.storeTile(shift, shiftBuf, {kb.index(0)});
    if (training) {
      auto [newMean, newVar] = updatedRunning(runningMean, runningVar, mean, var);
      newMeanBuf = memref::AllocOp::create(b, paramType);
      newVarBuf = memref::AllocOp::create(b, paramType);
      kb.storeTile(newMean, newMeanBuf, {kb.index(0)});
      kb.storeTile(newVar, newVarBuf, {kb.index(0)});
    }
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
  if (training) {
    SmallVector<Value, 2> stats = {newMeanBuf, newVarBuf};
    for (auto [buffer, result] : llvm::zip(stats, bn.getUpdatedStats()))
      result.replaceAllUsesWith(kb.toTensor(buffer, result.getType()));
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
      Value v = kb.loadElement(x, ValueRange{row, c});
      Value y = arith::SelectOp::create(b, keep, v, kb.f32(0.0));
      kb.storeElement(y, out, ValueRange{row, c});
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
