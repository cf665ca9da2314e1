//===- SCNOps.cpp - scn input/output and geometry ops ---------------------===//

#include "SCNVerifyUtils.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/InterleavedRange.h"

using namespace mlir;
using namespace scn;
using namespace scn::detail;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

Value scn::getSitesOf(Value features) {
  // Bounded walk: row-preserving chains are short, and a bound keeps a
  // malformed (cyclic, unverified) graph region from looping.
  for (int steps = 0; features && steps < 4096; ++steps) {
    Operation *def = features.getDefiningOp();
    if (!def)
      return {};
    Value next =
        TypeSwitch<Operation *, Value>(def)
            .Case<InputOp, BLInputOp, DenseToSparseOp>(
                [](auto op) { return op.getSites(); })
            .Case<SubmanifoldConvOp>([](auto op) { return op.getSites(); })
            .Case<ConvOp, DeconvOp, FullConvOp, MaxPoolOp, AvgPoolOp,
                  UnpoolOp>([](auto op) { return op.getOutSites(); })
            .Default([](Operation *) { return Value(); });
    if (next)
      return next;
    // Ops that keep rows in place: follow their first feature operand (a
    // linear op's tapped rows, its second result, are on the same sites).
    bool keepsRows = features == def->getResult(0) ||
                     (isa<LinearOp>(def) && features == def->getResult(1));
    if (isa<LinearOp, BatchNormOp, ReLUOp, LeakyReLUOp, SigmoidOp, TanhOp,
            ELUOp, SELUOp, DropoutOp, ConcatOp, AddOp>(def) &&
        def->getNumOperands() > 0 && keepsRows) {
      features = def->getOperand(0);
      continue;
    }
    return {};
  }
  return {};
}

FailureOr<SmallVector<int64_t>>
scn::getDownsampledSize(ArrayRef<int64_t> in, ArrayRef<int64_t> size,
                        ArrayRef<int64_t> stride) {
  SmallVector<int64_t> out;
  for (auto [i, s, t] : llvm::zip_equal(in, size, stride)) {
    if (s > i || (i - s) % t != 0)
      return failure();
    out.push_back((i - s) / t + 1);
  }
  return out;
}

SmallVector<int64_t> scn::getUpsampledSize(ArrayRef<int64_t> in,
                                           ArrayRef<int64_t> size,
                                           ArrayRef<int64_t> stride) {
  SmallVector<int64_t> out;
  for (auto [i, s, t] : llvm::zip_equal(in, size, stride))
    out.push_back((i - 1) * t + s);
  return out;
}

/// Emits the downsampling rule error for `in` -> `size`/`stride`.
static InFlightDiagnostic emitDownsampleError(InFlightDiagnostic diag,
                                              ArrayRef<int64_t> in,
                                              ArrayRef<int64_t> size,
                                              ArrayRef<int64_t> stride) {
  // SCN rule: out = (in - size) / stride + 1 with exact division.
  for (auto [axis, i, s, t] : llvm::enumerate(in, size, stride)) {
    if (s > i)
      return std::move(diag) << "filter size " << s << " on axis " << axis
                             << " is larger than the spatial size " << i;
    if ((i - s) % t != 0)
      return std::move(diag)
             << "spatial size " << i << " on axis " << axis
             << " does not fit filter " << s << " and stride " << t
             << ": (in - size) % stride must be 0, as SparseConvNet requires";
  }
  return diag;
}

/// Sites type at a computed size, or a diagnostic on `location`.
static SitesType getSitesTypeChecked(MLIRContext *context,
                                     std::optional<Location> location,
                                     unsigned dimension,
                                     ArrayRef<int64_t> size) {
  auto emitter = [&]() -> InFlightDiagnostic {
    return location ? mlir::emitError(*location)
                    : mlir::emitError(UnknownLoc::get(context));
  };
  return SitesType::getChecked(emitter, context, dimension, size);
}

//===----------------------------------------------------------------------===//
// InputOp / BLInputOp
//===----------------------------------------------------------------------===//

/// SCN rule: InputLayer modes are 0 (no duplicates), 1 (first), 2 (last),
/// 3 (sum), 4 (average).
static LogicalResult verifyInputMode(Operation *op, int64_t mode) {
  if (mode < 0 || mode > 4)
    return op->emitOpError() << "mode must be 0 (distinct sites), 1 (keep first), "
                                "2 (keep last), 3 (sum) or 4 (average), got "
                             << mode;
  return success();
}

LogicalResult InputOp::verify() {
  if (failed(verifyInputMode(*this, getMode())))
    return failure();
  auto sites = getSites().getType();
  auto coords = getCoords().getType();
  auto features = getFeatures().getType();
  // SCN rule: coordinates are [N, D + 1] with the batch index last.
  if (coords.getRank() != 2)
    return emitOpError() << "coordinates must be [N, D + 1], got " << coords;
  if (!coords.isDynamicDim(1) && coords.getDimSize(1) != sites.getDimension() + 1)
    return emitOpError() << "coordinates of " << sites.getDimension()
                         << "-d sites need " << sites.getDimension() + 1
                         << " columns (batch index last), got "
                         << coords.getDimSize(1);
  if (!coords.isDynamicDim(0) && !features.isDynamicDim(0) &&
      coords.getDimSize(0) != features.getDimSize(0))
    return emitOpError() << "coordinates have " << coords.getDimSize(0)
                         << " rows but features have " << features.getDimSize(0);
  if (getOutput().getType().getDimSize(1) != features.getDimSize(1) ||
      getOutput().getType().getElementType() != features.getElementType())
    return emitOpError() << "result features " << getOutput().getType()
                         << " must keep the input channels and element type of "
                         << features;
  if (auto batch = getBatchSize(); batch && *batch < 0)
    return emitOpError() << "batch_size must be >= 0, got " << *batch;
  return success();
}

LogicalResult BLInputOp::verify() {
  if (failed(verifyInputMode(*this, getMode())))
    return failure();
  auto sites = getSites().getType();
  auto coords = getCoords().getType();
  auto features = getFeatures().getType();
  // SCN rule: BLInputLayer takes coordinates [B, L, D] and features [B, L, C].
  if (coords.getRank() != 3)
    return emitOpError() << "coordinates must be [B, L, D], got " << coords;
  if (!coords.isDynamicDim(2) && coords.getDimSize(2) != sites.getDimension())
    return emitOpError() << "coordinates of " << sites.getDimension()
                         << "-d sites need " << sites.getDimension()
                         << " columns, got " << coords.getDimSize(2);
  if (features.getRank() != 3 || features.isDynamicDim(2))
    return emitOpError() << "features must be [B, L, C] with static C, got "
                         << features;
  if (getOutput().getType().getDimSize(1) != features.getDimSize(2) ||
      getOutput().getType().getElementType() != features.getElementType())
    return emitOpError() << "result features " << getOutput().getType()
                         << " must keep the channels and element type of "
                         << features;
  return success();
}

//===----------------------------------------------------------------------===//
// OutputOp / BLOutputOp / SparseToDenseOp / DenseToSparseOp
//===----------------------------------------------------------------------===//

LogicalResult OutputOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult OutputOp::verify() {
  // SCN rule: OutputLayer maps back to the rows given to the InputLayer.
  if (!getSites().getDefiningOp<InputOp>())
    return emitOpError() << "sites must be produced by scn.input (OutputLayer "
                            "returns one row per input row)";
  return checkFeaturesOnSites(*this, getInput(), getSites(), "input");
}

LogicalResult BLOutputOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  types.push_back(RankedTensorType::get(
      {ShapedType::kDynamic, ShapedType::kDynamic, input.getDimSize(1)},
      input.getElementType()));
  return success();
}

LogicalResult BLOutputOp::verify() {
  // SCN rule: BLOutputLayer restores the layout of a BLInputLayer.
  if (!getSites().getDefiningOp<BLInputOp>())
    return emitOpError() << "sites must be produced by scn.bl_input";
  return checkFeaturesOnSites(*this, getInput(), getSites(), "input");
}

LogicalResult SparseToDenseOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location>,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto sites = cast<SitesType>(adaptor.getSites().getType());
  SmallVector<int64_t> shape = {ShapedType::kDynamic, input.getDimSize(1)};
  llvm::append_range(shape, sites.getSpatialSize());
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult SparseToDenseOp::verify() {
  return checkFeaturesOnSites(*this, getInput(), getSites(), "input");
}

LogicalResult DenseToSparseOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  // SCN rule: a dense input is [B, C, s0, ..., sD-1], D in 1..10.
  if (input.getRank() < 3 || input.getRank() > 12)
    return emitOptionalError(location, "dense input must be [B, C, s0, ...] "
                                       "with 1 to 10 spatial axes, got ",
                             input);
  ArrayRef<int64_t> shape = input.getShape();
  if (ShapedType::isDynamic(shape[1]) ||
      llvm::any_of(shape.drop_front(2), ShapedType::isDynamic))
    return emitOptionalError(location, "dense input needs static channels and "
                                       "spatial sizes, got ",
                             input);
  SitesType sites = getSitesTypeChecked(context, location, input.getRank() - 2,
                                        shape.drop_front(2));
  if (!sites)
    return failure();
  types.push_back(sites);
  types.push_back(RankedTensorType::get({ShapedType::kDynamic, shape[1]},
                                        input.getElementType()));
  return success();
}

LogicalResult DenseToSparseOp::verify() { return success(); }

LogicalResult CoordinatesOp::inferReturnTypes(MLIRContext *context,
                                              std::optional<Location>,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  auto sites = cast<SitesType>(adaptor.getSites().getType());
  types.push_back(RankedTensorType::get(
      {ShapedType::kDynamic, static_cast<int64_t>(sites.getDimension()) + 1},
      IntegerType::get(context, 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// DownsampleOp / FullSitesOp / KernelMapOp
//===----------------------------------------------------------------------===//

using FilterAndStride = std::pair<ArrayRef<int64_t>, ArrayRef<int64_t>>;

/// The filter size and stride of a geometry op during result inference,
/// checked against the dimension of its input sites.
template <typename AdaptorT>
static FailureOr<FilterAndStride>
getFilterAndStride(AdaptorT &adaptor, SitesType in,
                   function_ref<InFlightDiagnostic()> emitter) {
  auto filter = getParsedOrPropertyAttr(adaptor.getFilterSizeAttr(),
                                        adaptor.getAttributes(), "filter_size");
  auto stride = getParsedOrPropertyAttr(
      adaptor.getFilterStrideAttr(), adaptor.getAttributes(), "filter_stride");
  if (!filter || !stride) {
    (void)(emitter() << "needs filter_size and filter_stride");
    return failure();
  }
  if (failed(checkFilterAndStride(emitter, in.getDimension(), filter, stride)))
    return failure();
  return FilterAndStride{filter, stride};
}

LogicalResult DownsampleOp::inferReturnTypes(MLIRContext *context,
                                             std::optional<Location> location,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  auto in = cast<SitesType>(adaptor.getInput().getType());
  auto emitter = [&]() -> InFlightDiagnostic {
    return location ? mlir::emitError(*location)
                    : mlir::emitError(UnknownLoc::get(context));
  };
  FailureOr<FilterAndStride> fs = getFilterAndStride(adaptor, in, emitter);
  if (failed(fs))
    return failure();
  auto [filter, stride] = *fs;
  FailureOr<SmallVector<int64_t>> out =
      getDownsampledSize(in.getSpatialSize(), filter, stride);
  if (failed(out)) {
    (void)emitDownsampleError(emitter(), in.getSpatialSize(), filter, stride);
    return failure();
  }
  SitesType type = getSitesTypeChecked(context, location, in.getDimension(), *out);
  if (!type)
    return failure();
  types.push_back(type);
  return success();
}

LogicalResult DownsampleOp::verify() { return success(); }

LogicalResult FullSitesOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto in = cast<SitesType>(adaptor.getInput().getType());
  auto emitter = [&]() -> InFlightDiagnostic {
    return location ? mlir::emitError(*location)
                    : mlir::emitError(UnknownLoc::get(context));
  };
  FailureOr<FilterAndStride> fs = getFilterAndStride(adaptor, in, emitter);
  if (failed(fs))
    return failure();
  auto [filter, stride] = *fs;
  // SCN rule: full convolution output size is (in - 1) * stride + size.
  SitesType type = getSitesTypeChecked(
      context, location, in.getDimension(),
      getUpsampledSize(in.getSpatialSize(), filter, stride));
  if (!type)
    return failure();
  types.push_back(type);
  return success();
}

LogicalResult FullSitesOp::verify() { return success(); }

LogicalResult KernelMapOp::verify() {
  SitesType in = getInputSites().getType();
  SitesType out = getOutputSites().getType();
  if (in.getDimension() != out.getDimension())
    return emitOpError() << "input and output sites have different dimensions";
  if (failed(checkFilterAndStride([&] { return emitOpError(); },
                                  in.getDimension(), getFilterSize(),
                                  getFilterStride())))
    return failure();
  switch (getKind()) {
  case KernelMapKind::submanifold:
    // SCN rule: a submanifold convolution outputs exactly its input sites.
    if (getInputSites() != getOutputSites())
      return emitOpError() << "a submanifold map must map a sites value onto "
                              "itself";
    if (llvm::any_of(getFilterStride(), [](int64_t t) { return t != 1; }))
      return emitOpError() << "a submanifold map has stride 1 on every axis";
    return success();
  case KernelMapKind::strided: {
    FailureOr<SmallVector<int64_t>> expected = getDownsampledSize(
        in.getSpatialSize(), getFilterSize(), getFilterStride());
    if (failed(expected))
      return emitDownsampleError(emitOpError(), in.getSpatialSize(),
                                 getFilterSize(), getFilterStride());
    if (ArrayRef<int64_t>(*expected) != out.getSpatialSize())
      return emitOpError() << "a strided map from " << in << " must reach size ["
                           << llvm::interleaved(*expected) << "], got " << out;
    return success();
  }
  case KernelMapKind::full: {
    SmallVector<int64_t> expected = getUpsampledSize(
        in.getSpatialSize(), getFilterSize(), getFilterStride());
    if (ArrayRef<int64_t>(expected) != out.getSpatialSize())
      return emitOpError() << "a full map from " << in << " must reach size ["
                           << llvm::interleaved(expected) << "], got " << out;
    return success();
  }
  }
  return success();
}
