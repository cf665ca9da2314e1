//===- SCNConvOps.cpp - scn convolution and pooling ops -------------------===//

#include "SCNVerifyUtils.h"

#include "llvm/Support/InterleavedRange.h"

using namespace mlir;
using namespace scn;
using namespace scn::detail;

//===----------------------------------------------------------------------===//
// Result types
//===----------------------------------------------------------------------===//

/// Result of a convolution: `[?, nOut]` with nOut = G * (nOut / G) from the
/// weight `[V, G, nIn/G, nOut/G]`.
static LogicalResult inferConvResult(std::optional<Location> location,
                                     Value input, Value weight,
                                     SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  // SCN rule: convolution weights are [V, G, nIn/G, nOut/G].
  if (weightType.getRank() != 4)
    return emitOptionalError(location,
                             "weight must be [filter_volume, groups, nIn/groups, "
                             "nOut/groups], got ",
                             weightType);
  int64_t nOut = weightType.getDimSize(1) * weightType.getDimSize(3);
  types.push_back(RankedTensorType::get({ShapedType::kDynamic, nOut},
                                        inputType.getElementType()));
  return success();
}

/// Whether an epilogue list has a `tap` step.
static bool hasTap(ArrayAttr epilogue) {
  return epilogue && llvm::any_of(epilogue, [](Attribute a) {
           auto step = dyn_cast<EpilogueStepAttr>(a);
           return step && step.getKind() == EpilogueKind::tap;
         });
}

/// A `tap` step gives the op a second result of the first's type.
static void addTappedResult(ArrayAttr epilogue, SmallVectorImpl<Type> &types) {
  if (hasTap(epilogue) && !types.empty())
    types.push_back(types.front());
}

Operation *scn::rebuildForEpilogue(OpBuilder &builder, Operation *op) {
  // The same rule as the ops' result inference.
  SmallVector<Type, 2> types{op->getResult(0).getType()};
  addTappedResult(op->getAttrOfType<ArrayAttr>("epilogue"), types);
  Operation *rebuilt = Operation::create(
      op->getLoc(), op->getName(), types, op->getOperands(),
      NamedAttrList(op->getDiscardableAttrDictionary()), op->getPropertiesStorage(),
      BlockRange(), /*numRegions=*/0);
  return builder.insert(rebuilt);
}

#define SCN_CONV_INFER(OP)                                                     \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> location,         \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    if (failed(inferConvResult(location, adaptor.getInput(),                   \
                               adaptor.getWeight(), types)))                   \
      return failure();                                                        \
    addTappedResult(getParsedOrPropertyAttr(adaptor.getEpilogueAttr(),        \
                                    adaptor.getAttributes(), "epilogue"),      \
                    types);                                                    \
    return success();                                                          \
  }
SCN_CONV_INFER(SubmanifoldConvOp)
SCN_CONV_INFER(ConvOp)
SCN_CONV_INFER(DeconvOp)
SCN_CONV_INFER(FullConvOp)
#undef SCN_CONV_INFER

LogicalResult LinearOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weightType = cast<RankedTensorType>(adaptor.getWeight().getType());
  // SCN rule: NetworkInNetwork weights are [nIn, nOut].
  if (weightType.getRank() != 2)
    return emitOptionalError(location, "weight must be [nIn, nOut], got ",
                             weightType);
  types.push_back(RankedTensorType::get(
      {ShapedType::kDynamic, weightType.getDimSize(1)},
      inputType.getElementType()));
  addTappedResult(getParsedOrPropertyAttr(adaptor.getEpilogueAttr(), adaptor.getAttributes(),
                                          "epilogue"),
                  types);
  return success();
}

/// Result of a pooling op: the input channels minus `features_to_drop`.
static LogicalResult inferPoolResult(std::optional<Location> location,
                                     Value input, int64_t drop,
                                     SmallVectorImpl<Type> &types) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t channels = inputType.getDimSize(1);
  // SCN rule: nFeaturesToDrop drops the first channels, leaving at least one.
  if (drop < 0 || drop >= channels)
    return emitOptionalError(location, "features_to_drop must be in [0, ",
                             channels, "), got ", drop);
  types.push_back(RankedTensorType::get({ShapedType::kDynamic, channels - drop},
                                        inputType.getElementType()));
  return success();
}

#define SCN_POOL_INFER(OP)                                                     \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> location,         \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    auto drop = getParsedOrPropertyAttr(adaptor.getFeaturesToDropAttr(),              \
                                adaptor.getAttributes(), "features_to_drop"); \
    return inferPoolResult(location, adaptor.getInput(),                       \
                           drop ? drop.getInt() : 0, types);                   \
  }
SCN_POOL_INFER(MaxPoolOp)
SCN_POOL_INFER(AvgPoolOp)
SCN_POOL_INFER(UnpoolOp)
#undef SCN_POOL_INFER

//===----------------------------------------------------------------------===//
// Shared verification
//===----------------------------------------------------------------------===//

/// Weight, bias and element types of a convolution.
static LogicalResult verifyConvWeights(Operation *op, Value input, Value weight,
                                       Value bias, Value output,
                                       ArrayRef<int64_t> filter) {
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t volume = getFilterVolume(filter);
  // SCN rule: the weight's first dimension is the filter volume prod(size).
  if (weightType.getDimSize(0) != volume)
    return op->emitOpError() << "weight has " << weightType.getDimSize(0)
                             << " filter offsets but filter_size ["
                             << llvm::interleaved(filter) << "] has volume "
                             << volume;
  int64_t groups = weightType.getDimSize(1);
  if (groups < 1 || weightType.getDimSize(2) < 1 || weightType.getDimSize(3) < 1)
    return op->emitOpError() << "weight dimensions must be >= 1, got "
                             << weightType;
  // SCN rule: nIn = groups * (nIn / groups) must match the input channels.
  int64_t nIn = groups * weightType.getDimSize(2);
  if (nIn != getChannels(input))
    return op->emitOpError()
           << "input has " << getChannels(input)
           << " channels but the weight expects " << nIn << " (groups "
           << groups << " x " << weightType.getDimSize(2) << ")";
  Type element = cast<RankedTensorType>(input.getType()).getElementType();
  if (weightType.getElementType() != element)
    return op->emitOpError() << "weight element type "
                             << weightType.getElementType()
                             << " differs from the features' " << element;
  if (bias) {
    // SCN rule: the bias has one entry per output channel.
    if (failed(checkChannelVector(op, bias, getChannels(output), "bias")))
      return failure();
    if (cast<RankedTensorType>(bias.getType()).getElementType() != element)
      return op->emitOpError() << "bias element type differs from the features'";
  }
  return success();
}

/// Fused epilogue: each step has its operands, of the right shapes.
static LogicalResult verifyEpilogue(Operation *op, std::optional<ArrayAttr> list,
                                    OperandRange operands, Value output) {
  unsigned next = 0;
  int64_t channels = getChannels(output);
  bool tapped = false;
  if (list) {
    for (Attribute attr : *list) {
      auto step = cast<EpilogueStepAttr>(attr);
      if (step.getKind() == EpilogueKind::tap) {
        if (tapped)
          return op->emitOpError() << "epilogue has more than one tap step: an op "
                                      "has one tapped result";
        tapped = true;
      }
      unsigned need = step.getNumOperands();
      if (next + need > operands.size())
        return op->emitOpError() << "epilogue step " << step << " needs " << need
                                 << " operand(s) but only "
                                 << operands.size() - next << " remain";
      if (step.getKind() == EpilogueKind::affine) {
        if (failed(checkChannelVector(op, operands[next], channels,
                                      "epilogue scale")) ||
            failed(checkChannelVector(op, operands[next + 1], channels,
                                      "epilogue shift")))
          return failure();
      }
      if (step.getKind() == EpilogueKind::residual &&
          operands[next].getType() != output.getType())
        return op->emitOpError() << "epilogue residual must have the result type "
                                 << output.getType() << ", got "
                                 << operands[next].getType();
      next += need;
    }
  }
  if (next != operands.size())
    return op->emitOpError() << "has " << operands.size()
                             << " epilogue operands but its steps use " << next;
  if (op->getNumResults() != (tapped ? 2u : 1u))
    return op->emitOpError() << "has " << op->getNumResults() << " result(s); "
                             << (tapped ? "with a tap step it has 2 (the second: the rows "
                                          "at the tap)"
                                        : "without a tap step it has 1");
  return success();
}

/// An explicit kernel map must be the one the op needs.
static LogicalResult verifyKernelMapOperand(KernelMapUserOpInterface op) {
  Value map = op.getKernelMap();
  if (!map)
    return success();
  auto def = map.getDefiningOp<KernelMapOp>();
  if (!def)
    return success(); // Passed in from outside: checked at run time.
  if (def.getKind() != op.getKernelMapKind() ||
      def.getInputSites() != op.getMapInputSites() ||
      def.getOutputSites() != op.getMapOutputSites() ||
      def.getFilterSize() != op.getMapFilterSize() ||
      def.getFilterStride() != ArrayRef<int64_t>(op.getMapFilterStride()))
    return op->emitOpError()
           << "kernel map operand does not match the op's sites, kind, filter "
              "and stride";
  return success();
}

/// Strided downsampling rule between `in` and `out` sites.
static LogicalResult verifyDownsampledPair(Operation *op, SitesType in,
                                           SitesType out,
                                           ArrayRef<int64_t> filter,
                                           ArrayRef<int64_t> stride) {
  // SCN rule: out = (in - size) / stride + 1, exactly.
  FailureOr<SmallVector<int64_t>> expected =
      getDownsampledSize(in.getSpatialSize(), filter, stride);
  if (failed(expected))
    return op->emitOpError()
           << "input size [" << llvm::interleaved(in.getSpatialSize())
           << "] does not fit filter [" << llvm::interleaved(filter)
           << "] and stride [" << llvm::interleaved(stride)
           << "]: (in - size) % stride must be 0 and size <= in";
  if (ArrayRef<int64_t>(*expected) != out.getSpatialSize())
    return op->emitOpError() << "output size must be (in - size) / stride + 1 = ["
                             << llvm::interleaved(*expected) << "], got " << out;
  return success();
}

/// Transposed rule: `small` -> `big` with size (in - 1) * stride + size, and
/// `small` must be the `scn.downsample` of `big` with the same size/stride.
static LogicalResult verifyUpsampledPair(Operation *op, Value small, Value big,
                                         ArrayRef<int64_t> filter,
                                         ArrayRef<int64_t> stride) {
  auto smallType = cast<SitesType>(small.getType());
  auto bigType = cast<SitesType>(big.getType());
  // SCN rule: deconvolution/unpooling output size is (in - 1) * stride + size.
  SmallVector<int64_t> expected =
      getUpsampledSize(smallType.getSpatialSize(), filter, stride);
  if (ArrayRef<int64_t>(expected) != bigType.getSpatialSize())
    return op->emitOpError() << "output size must be (in - 1) * stride + size = ["
                             << llvm::interleaved(expected) << "], got " << bigType;
  // SCN rule: a Deconvolution/UnPooling must undo a Convolution/Pooling of
  // the same scale: its output sites are that downsample's input sites.
  auto down = small.getDefiningOp<DownsampleOp>();
  if (!down || down.getInput() != big || down.getFilterSize() != filter ||
      down.getFilterStride() != stride)
    return op->emitOpError()
           << "input sites must be the scn.downsample of the output sites with "
              "the same filter_size and filter_stride (a deconvolution or "
              "unpooling undoes a strided op of the same scale)";
  return success();
}

/// A strided op's output sites, when produced by an op, are a downsample of
/// its input sites.
static LogicalResult verifyDownsampleSource(Operation *op, Value in, Value out) {
  Operation *def = out.getDefiningOp();
  if (!def)
    return success();
  auto down = dyn_cast<DownsampleOp>(def);
  if (!down || down.getInput() != in)
    return op->emitOpError() << "output sites must be an scn.downsample of the "
                                "input sites";
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution verifiers
//===----------------------------------------------------------------------===//

LogicalResult SubmanifoldConvOp::verify() {
  SitesType sites = getSites().getType();
  if (failed(checkFilterAndStride([&] { return emitOpError(); },
                                  sites.getDimension(), getFilterSize(),
                                  std::nullopt)))
    return failure();
  // The runtime's rule (scn_kmap_build): a filter fits inside the grid.
  for (auto [axis, s, size] :
       llvm::enumerate(getFilterSize(), sites.getSpatialSize()))
    if (s > size)
      return emitOpError() << "filter_size[" << axis << "] = " << s
                           << " is larger than the spatial size " << size;
  if (
      failed(verifyConvWeights(*this, getInput(), getWeight(), getBias(),
                               getOutput(), getFilterSize())) ||
      failed(checkFeaturesOnSites(*this, getInput(), getSites(), "input")) ||
      failed(verifyEpilogue(*this, getEpilogue(), getEpilogueOperands(),
                            getOutput())))
    return failure();
  return verifyKernelMapOperand(*this);
}

/// Checks shared by conv, deconv and full_conv.
template <typename OpTy>
static LogicalResult verifyStridedConvCommon(OpTy op) {
  SitesType in = op.getInSites().getType();
  SitesType out = op.getOutSites().getType();
  if (in.getDimension() != out.getDimension())
    return op.emitOpError() << "input and output sites have different dimensions";
  if (failed(checkFilterAndStride([&] { return op.emitOpError(); },
                                  in.getDimension(), op.getFilterSize(),
                                  op.getFilterStride())) ||
      failed(verifyConvWeights(op, op.getInput(), op.getWeight(), op.getBias(),
                               op.getOutput(), op.getFilterSize())) ||
      failed(checkFeaturesOnSites(op, op.getInput(), op.getInSites(), "input")) ||
      failed(verifyEpilogue(op, op.getEpilogue(), op.getEpilogueOperands(),
                            op.getOutput())))
    return failure();
  return success();
}

/// The rules of every op that reads a downsampling (conv, max/avg pool):
/// size arithmetic, output sites from scn.downsample, matching kernel map.
template <typename OpTy>
static LogicalResult verifyDownsamplingOp(OpTy op) {
  if (failed(verifyDownsampledPair(op, op.getInSites().getType(),
                                   op.getOutSites().getType(),
                                   op.getFilterSize(), op.getFilterStride())) ||
      failed(verifyDownsampleSource(op, op.getInSites(), op.getOutSites())))
    return failure();
  return verifyKernelMapOperand(op);
}

LogicalResult ConvOp::verify() {
  if (failed(verifyStridedConvCommon(*this)))
    return failure();
  return verifyDownsamplingOp(*this);
}

LogicalResult DeconvOp::verify() {
  if (failed(verifyStridedConvCommon(*this)) ||
      failed(verifyUpsampledPair(*this, getInSites(), getOutSites(),
                                 getFilterSize(), getFilterStride())))
    return failure();
  return verifyKernelMapOperand(*this);
}

LogicalResult FullConvOp::verify() {
  if (failed(verifyStridedConvCommon(*this)))
    return failure();
  // SCN rule: FullConvolution outputs the full support at (in - 1) * t + s.
  SmallVector<int64_t> expected = getUpsampledSize(
      getInSites().getType().getSpatialSize(), getFilterSize(), getFilterStride());
  if (ArrayRef<int64_t>(expected) != getOutSites().getType().getSpatialSize())
    return emitOpError() << "output size must be (in - 1) * stride + size = ["
                         << llvm::interleaved(expected) << "], got "
                         << getOutSites().getType();
  if (Operation *def = getOutSites().getDefiningOp()) {
    auto full = dyn_cast<FullSitesOp>(def);
    if (!full || full.getInput() != getInSites() ||
        full.getFilterSize() != getFilterSize() ||
        full.getFilterStride() != getFilterStride())
      return emitOpError() << "output sites must be the scn.full_sites of the "
                              "input sites with the same filter_size and "
                              "filter_stride";
  }
  return verifyKernelMapOperand(*this);
}

LogicalResult LinearOp::verify() {
  auto weightType = getWeight().getType();
  // SCN rule: NetworkInNetwork weight is [nIn, nOut] with nIn the input channels.
  if (weightType.getDimSize(0) != getChannels(getInput()))
    return emitOpError() << "input has " << getChannels(getInput())
                         << " channels but the weight expects "
                         << weightType.getDimSize(0);
  if (weightType.getElementType() != getInput().getType().getElementType())
    return emitOpError() << "weight element type differs from the features'";
  if (getBias() && failed(checkChannelVector(*this, getBias(),
                                             getChannels(getOutput()), "bias")))
    return failure();
  return verifyEpilogue(*this, getEpilogue(), getEpilogueOperands(), getOutput());
}

//===----------------------------------------------------------------------===//
// Pooling verifiers
//===----------------------------------------------------------------------===//

template <typename OpTy>
static LogicalResult verifyPoolCommon(OpTy op) {
  SitesType in = op.getInSites().getType();
  SitesType out = op.getOutSites().getType();
  if (in.getDimension() != out.getDimension())
    return op.emitOpError() << "input and output sites have different dimensions";
  if (failed(checkFilterAndStride([&] { return op.emitOpError(); },
                                  in.getDimension(), op.getFilterSize(),
                                  op.getFilterStride())) ||
      failed(checkFeaturesOnSites(op, op.getInput(), op.getInSites(), "input")))
    return failure();
  return success();
}

LogicalResult MaxPoolOp::verify() {
  if (failed(verifyPoolCommon(*this)))
    return failure();
  return verifyDownsamplingOp(*this);
}

LogicalResult AvgPoolOp::verify() {
  if (failed(verifyPoolCommon(*this)))
    return failure();
  return verifyDownsamplingOp(*this);
}

LogicalResult UnpoolOp::verify() {
  if (failed(verifyPoolCommon(*this)) ||
      failed(verifyUpsampledPair(*this, getInSites(), getOutSites(),
                                 getFilterSize(), getFilterStride())))
    return failure();
  return verifyKernelMapOperand(*this);
}

//===----------------------------------------------------------------------===//
// KernelMapUserOpInterface
//===----------------------------------------------------------------------===//

static SmallVector<int64_t> ones(size_t n) { return SmallVector<int64_t>(n, 1); }

KernelMapKind SubmanifoldConvOp::getKernelMapKind() {
  return KernelMapKind::submanifold;
}
Value SubmanifoldConvOp::getMapInputSites() { return getSites(); }
Value SubmanifoldConvOp::getMapOutputSites() { return getSites(); }
ArrayRef<int64_t> SubmanifoldConvOp::getMapFilterSize() { return getFilterSize(); }
SmallVector<int64_t> SubmanifoldConvOp::getMapFilterStride() {
  return ones(getFilterSize().size());
}
bool SubmanifoldConvOp::readsMapTransposed() { return false; }

// Strided ops read the map from their input to their output sites.
#define SCN_FORWARD_MAP(OP)                                                    \
  KernelMapKind OP::getKernelMapKind() { return KernelMapKind::strided; }     \
  Value OP::getMapInputSites() { return getInSites(); }                        \
  Value OP::getMapOutputSites() { return getOutSites(); }                      \
  ArrayRef<int64_t> OP::getMapFilterSize() { return getFilterSize(); }         \
  SmallVector<int64_t> OP::getMapFilterStride() {                              \
    return SmallVector<int64_t>(getFilterStride());                            \
  }                                                                            \
  bool OP::readsMapTransposed() { return false; }
SCN_FORWARD_MAP(ConvOp)
SCN_FORWARD_MAP(MaxPoolOp)
SCN_FORWARD_MAP(AvgPoolOp)
#undef SCN_FORWARD_MAP

// Deconvolution and unpooling read their downsample's map (big -> small)
// transposed.
#define SCN_TRANSPOSED_MAP(OP)                                                 \
  KernelMapKind OP::getKernelMapKind() { return KernelMapKind::strided; }     \
  Value OP::getMapInputSites() { return getOutSites(); }                       \
  Value OP::getMapOutputSites() { return getInSites(); }                       \
  ArrayRef<int64_t> OP::getMapFilterSize() { return getFilterSize(); }         \
  SmallVector<int64_t> OP::getMapFilterStride() {                              \
    return SmallVector<int64_t>(getFilterStride());                            \
  }                                                                            \
  bool OP::readsMapTransposed() { return true; }
SCN_TRANSPOSED_MAP(DeconvOp)
SCN_TRANSPOSED_MAP(UnpoolOp)
#undef SCN_TRANSPOSED_MAP

KernelMapKind FullConvOp::getKernelMapKind() { return KernelMapKind::full; }
Value FullConvOp::getMapInputSites() { return getInSites(); }
Value FullConvOp::getMapOutputSites() { return getOutSites(); }
ArrayRef<int64_t> FullConvOp::getMapFilterSize() { return getFilterSize(); }
SmallVector<int64_t> FullConvOp::getMapFilterStride() {
  return SmallVector<int64_t>(getFilterStride());
}
bool FullConvOp::readsMapTransposed() { return false; }
