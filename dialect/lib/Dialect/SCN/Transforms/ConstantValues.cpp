//===- ConstantValues.cpp - reading and writing constant tensors ----------===//

#include "ConstantValues.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

std::optional<SmallVector<float>> scn::getConstantF32Values(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue())) {
    SmallVector<float> values;
    values.reserve(type.getNumElements());
    for (APFloat v : dense.getValues<APFloat>())
      values.push_back(v.convertToFloat());
    return values;
  }
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(constant.getValue())) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data || static_cast<int64_t>(data->size()) != type.getNumElements())
      return std::nullopt;
    return SmallVector<float>(data->begin(), data->end());
  }
  return std::nullopt;
}

Value scn::createF32Constant(OpBuilder &builder, Location loc,
                             RankedTensorType type, ArrayRef<float> values) {
  auto attr = DenseElementsAttr::get(type, values);
  return arith::ConstantOp::create(builder, loc, type, cast<TypedAttr>(attr));
}
