//===- KernelBuilder.cpp - building blocks of the CPU lowering ------------===//

#include "KernelBuilder.h"

#include "scn/Dialect/SCN/IR/ChannelTile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace scn::cpu {

SmallVector<ChannelTile> splitChannels(int64_t channels, int64_t maxWidth) {
  int64_t width = scn::channelTileWidth(channels, maxWidth);
  SmallVector<ChannelTile> tiles;
  for (int64_t begin = 0; begin < channels; begin += width)
    tiles.push_back({begin, width});
  return tiles;
}

Value KernelBuilder::index(int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}
Value KernelBuilder::i32(int64_t v) {
  return arith::ConstantIntOp::create(b, v, 32);
}
Value KernelBuilder::i64(int64_t v) {
  return arith::ConstantIntOp::create(b, v, 64);
}
Value KernelBuilder::f32(double v) {
  return arith::ConstantFloatOp::create(b, b.getF32Type(),
                                        llvm::APFloat(static_cast<float>(v)));
}
Value KernelBuilder::splat(VectorType type, double v) {
  return arith::ConstantOp::create(
      b, type,
      DenseElementsAttr::get(type, b.getFloatAttr(type.getElementType(), v)));
}
Type KernelBuilder::ptrType() { return LLVM::LLVMPointerType::get(b.getContext()); }

Value KernelBuilder::addressOfGlobal(StringRef key, Type type, Attribute value) {
  auto it = state.globals.find(key);
  std::string name;
  if (it != state.globals.end()) {
    name = it->second;
  } else {
    name = "__scn_const_" + std::to_string(state.nextGlobal++);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(state.module.getBody());
    LLVM::GlobalOp::create(b, type, /*isConstant=*/true, LLVM::Linkage::Internal,
                           name, value);
    state.globals[key] = name;
  }
  return LLVM::AddressOfOp::create(b, ptrType(), name);
}

Value KernelBuilder::constI64Array(ArrayRef<int64_t> values) {
  std::string key = "i64:";
  for (int64_t v : values)
    key += std::to_string(v) + ",";
  auto tensorType =
      RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getI64Type());
  auto arrayType = LLVM::LLVMArrayType::get(b.getI64Type(), values.size());
  return addressOfGlobal(key, arrayType, DenseElementsAttr::get(tensorType, values));
}

Value KernelBuilder::constString(StringRef text) {
  std::string withNul = text.str();
  withNul.push_back('\0');
  auto arrayType = LLVM::LLVMArrayType::get(b.getI8Type(), withNul.size());
  return addressOfGlobal("str:" + text.str(), arrayType, b.getStringAttr(withNul));
}

Value KernelBuilder::opDescription(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName() << " at ";
  op->getLoc().print(os);
  return constString(text);
}

Value KernelBuilder::call(StringRef name, Type result, ValueRange args) {
  auto results = callResults(name, result ? TypeRange{result} : TypeRange{}, args);
  return result ? results.front() : Value();
}

SmallVector<Value> KernelBuilder::callResults(StringRef name, TypeRange results,
                                              ValueRange args) {
  auto func = state.module.lookupSymbol<func::FuncOp>(name);
  if (!func) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(state.module.getBody());
    func = func::FuncOp::create(b, name, b.getFunctionType(args.getTypes(), results));
    func.setPrivate();
  }
  return SmallVector<Value>(func::CallOp::create(b, func, args).getResults());
}

std::string KernelBuilder::geometryFn(StringRef cpuName) const {
  if (!deviceGeometry())
    return cpuName.str();
  return ("scn_cg_gpu_" + cpuName.drop_front(StringRef("scn_cg_").size())).str();
}

Value KernelBuilder::runtimeArray(StringRef name, ValueRange args, Value bytes) {
  // Device geometry is in device memory already.
  if (deviceGeometry())
    return call(geometryFn(name), ptrType(), args);
  Value array = call(name, ptrType(), args);
  if (!state.forGPU)
    return array;
  return call("scn_cg_device_copy", ptrType(), {run, array, bytes});
}

Value KernelBuilder::countIfPresent(Value count, ValueRange arrays) {
  Value readable;
  for (Value array : arrays) {
    Value address = LLVM::PtrToIntOp::create(b, b.getI64Type(), array);
    Value present = arith::CmpIOp::create(b, arith::CmpIPredicate::ne, address, i64(0));
    readable = readable ? arith::AndIOp::create(b, readable, present).getResult() : present;
  }
  return readable ? arith::SelectOp::create(b, readable, count, index(0)).getResult() : count;
}

Value KernelBuilder::byteSize(Value count, int64_t elementBytes) {
  return arith::MulIOp::create(b, toI64(count), i64(elementBytes));
}

Value KernelBuilder::flatten(Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  return memref::CollapseShapeOp::create(b, buffer, ArrayRef<ReassociationIndices>{all});
}

Value KernelBuilder::toBuffer(Value tensor) {
  if (Value narrow = narrowBuffers.lookup(tensor))
    return narrow;
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, memrefType, tensor,
                                           /*read_only=*/true);
}

Value KernelBuilder::toTensor(Value buffer, Type tensorType) {
  auto memrefType = cast<MemRefType>(buffer.getType());
  auto wanted = cast<RankedTensorType>(tensorType);
  if (memrefType.getElementType() == wanted.getElementType())
    return bufferization::ToTensorOp::create(b, tensorType, buffer,
                                             /*restrict=*/true, /*writable=*/true);
  auto narrowType = RankedTensorType::get(wanted.getShape(), memrefType.getElementType());
  Value narrow = bufferization::ToTensorOp::create(b, narrowType, buffer,
                                                   /*restrict=*/true, /*writable=*/true);
  Value wide = arith::ExtFOp::create(b, tensorType, narrow);
  narrowBuffers[wide] = buffer;
  return wide;
}

/// Whether `type` is a stored activation type, narrower than the f32 that
/// kernels compute in.
static bool isNarrowFloat(Type type) { return type.isF16() || type.isBF16(); }

Type KernelBuilder::storageTypeOf(Operation *op) const {
  auto storage = op ? op->getAttrOfType<TypeAttr>("storage_type") : TypeAttr();
  if (!state.forGPU || !storage || !isNarrowFloat(storage.getValue()))
    return {};
  return storage.getValue();
}

Value KernelBuilder::allocRows(Value rows, int64_t channels, Type element, bool exact,
                               Operation *owner) {
  Type stored = element.isF32() ? storageTypeOf(owner ? owner : currentOp) : Type();
  if (stored)
    element = stored;
  else if (element.isF32() && state.activationType && !exact)
    element = state.activationType;
  auto type = MemRefType::get({ShapedType::kDynamic, channels}, element);
  Value buffer = allocAligned(type, ValueRange{rows});
  if (stored)
    multiplicandBuffers.insert(buffer);
  return buffer;
}

Value KernelBuilder::allocTappedRows(Value rows, int64_t channels, Type element) {
  if (element.isF32() && state.activationType)
    element = state.activationType;
  return allocAligned(MemRefType::get({ShapedType::kDynamic, channels}, element),
                      ValueRange{rows});
}

Value KernelBuilder::allocAligned(MemRefType type, ValueRange dynamicSizes) {
  return memref::AllocOp::create(b, type, dynamicSizes, b.getI64IntegerAttr(kBufferAlignment));
}

Value KernelBuilder::pointerOf(Value buffer) { return cpu::pointerOf(b, b.getLoc(), buffer); }

Value pointerOf(OpBuilder &b, Location loc, Value buffer) {
  Value asIndex = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), asIndex);
  return LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()), asInt);
}

Value KernelBuilder::loadArray(Value ptr, Value i, Type type) {
  Value offset = toI64(i);
  Value address = LLVM::GEPOp::create(b, ptrType(), type, ptr, ValueRange{offset},
                                      LLVM::GEPNoWrapFlags::inbounds);
  return LLVM::LoadOp::create(b, type, address);
}

void KernelBuilder::storeArray(Value value, Value ptr, Value i) {
  Value address = LLVM::GEPOp::create(b, ptrType(), value.getType(), ptr,
                                      ValueRange{toI64(i)}, LLVM::GEPNoWrapFlags::inbounds);
  LLVM::StoreOp::create(b, value, address);
}

void KernelBuilder::beginOp(Operation *op) {
  currentOp = op;
  beforeCurrentOp = op->getPrevNode();
  checkWords.clear();
}

Value KernelBuilder::opCheckWord(StringRef message) {
  if (Value word = checkWords.lookup(message))
    return word;
  assert(currentOp && "opCheckWord outside an op's lowering");
  OpBuilder::InsertionGuard guard(b);
  // Before everything the op's lowering emitted so far: its kernels, which
  // capture the word.
  if (beforeCurrentOp)
    b.setInsertionPointAfter(beforeCurrentOp);
  else
    b.setInsertionPointToStart(currentOp->getBlock());
  Value word = call("scn_cg_gpu_check_flag", ptrType(),
                    {run, opDescription(currentOp), constString(message)});
  checkWords[message] = word;
  return word;
}

void KernelBuilder::setCheckWordIf(Value word, Value bad) {
  // By its address: a null pointer constant would be hoisted out of the
  // kernel, where scn-gpu-offload takes it for a host pointer.
  Value address = LLVM::PtrToIntOp::create(b, b.getI64Type(), word);
  Value have = arith::CmpIOp::create(b, arith::CmpIPredicate::ne, address, i64(0));
  scf::IfOp::create(b, arith::AndIOp::create(b, bad, have), [&](OpBuilder &, Location) {
    storeArray(i32(1), word, index(0));
    scf::YieldOp::create(b);
  });
}

Value KernelBuilder::toIndex(Value v) {
  return arith::IndexCastOp::create(b, b.getIndexType(), v);
}
Value KernelBuilder::toI64(Value v) {
  if (v.getType().isInteger(64))
    return v;
  if (v.getType().isIndex())
    return arith::IndexCastOp::create(b, b.getI64Type(), v);
  return arith::ExtSIOp::create(b, b.getI64Type(), v);
}

void KernelBuilder::parallelRows(Value n, function_ref<void(Value)> body) {
  auto loop = scf::ParallelOp::create(b, ValueRange{index(0)}, ValueRange{n},
                                      ValueRange{index(1)});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  body(loop.getInductionVars()[0]);
}

void KernelBuilder::forLoop(Value n, function_ref<void(Value)> body) {
  auto loop = scf::ForOp::create(b, index(0), n, index(1));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  body(loop.getInductionVar());
}

Value KernelBuilder::forLoopCarry(Value n, Value init,
                                  function_ref<Value(Value, Value)> body) {
  auto loop = scf::ForOp::create(b, index(0), n, index(1), ValueRange{init});
  OpBuilder::InsertionGuard guard(b);
  Block *block = loop.getBody();
  // The builder-less create gives a body with a terminator yielding nothing
  // useful: replace it.
  if (!block->empty())
    block->getTerminator()->erase();
  b.setInsertionPointToEnd(block);
  Value next = body(loop.getInductionVar(), loop.getRegionIterArgs()[0]);
  scf::YieldOp::create(b, next);
  return loop.getResult(0);
}

SmallVector<Value>
KernelBuilder::forLoopCarryN(Value n, ValueRange inits,
                             function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  auto loop = scf::ForOp::create(b, index(0), n, index(1), inits);
  OpBuilder::InsertionGuard guard(b);
  Block *block = loop.getBody();
  if (!block->empty())
    block->getTerminator()->erase();
  b.setInsertionPointToEnd(block);
  SmallVector<Value> next = body(loop.getInductionVar(), loop.getRegionIterArgs());
  scf::YieldOp::create(b, next);
  return SmallVector<Value>(loop.getResults());
}

Value KernelBuilder::loadTile(Value buffer, ValueRange indices, int64_t width,
                             int64_t alignBytes) {
  return widenTile(loadTileAsStored(buffer, indices, width, alignBytes));
}

Value KernelBuilder::loadTileAsStored(Value buffer, ValueRange indices, int64_t width,
                                     int64_t alignBytes) {
  auto elem = cast<MemRefType>(buffer.getType()).getElementType();
  return vector::LoadOp::create(b, VectorType::get({width}, elem), buffer, indices,
                                /*nontemporal=*/false,
                                alignBytes ? llvm::MaybeAlign(alignBytes) : llvm::MaybeAlign());
}

Value KernelBuilder::widenTile(Value tile) {
  auto type = cast<VectorType>(tile.getType());
  if (!isNarrowFloat(type.getElementType()))
    return tile;
  return arith::ExtFOp::create(b, VectorType::get(type.getShape(), b.getF32Type()), tile);
}

/// What a kernel reports when an f32 value it stores in f16 rounds to inf.
static constexpr llvm::StringLiteral kF16StoreOverflow =
    "a result is NaN or exceeds the f16 range of --activations=f16 (a magnitude of "
    "65520 or more rounds to inf); compile with --activations=bf16 or f32";
/// The same for rows stored in f16 because only f16 tensor cores read them
/// (storage_type), which would round them to inf too.
static constexpr llvm::StringLiteral kF16MultiplicandStoreOverflow =
    "a result is NaN or exceeds the f16 range of the tensor-core convolutions that read "
    "it (a magnitude of 65520 or more rounds to inf); compile with --element-type=bf16 "
    "or f32";

/// The buffer a view of `buffer` looks into (itself when not a view).
static Value rootBuffer(Value buffer) {
  while (auto view = buffer.getDefiningOp<ViewLikeOpInterface>())
    buffer = view.getViewSource();
  return buffer;
}

void KernelBuilder::checkF16Range(Value values, Value buffer) {
  if (!state.forGPU || !currentOp)
    return;
  // Not (|v| < 65520): f16's overflow threshold under round to nearest
  // even, and true for NaN too.
  Value over = magnitudeAtLeast(values, 65520.0f);
  bool multiplicand = buffer && multiplicandBuffers.contains(rootBuffer(buffer));
  setCheckWordIf(opCheckWord(multiplicand ? kF16MultiplicandStoreOverflow : kF16StoreOverflow),
                 over);
}

Value KernelBuilder::magnitudeAtLeast(Value values, float limit) {
  Type intType = b.getI32Type();
  auto vector = dyn_cast<VectorType>(values.getType());
  if (vector)
    intType = VectorType::get(vector.getShape(), intType);
  auto constant = [&](int32_t v) -> Value {
    if (vector)
      return arith::ConstantOp::create(
          b, intType, DenseElementsAttr::get(cast<VectorType>(intType), b.getI32IntegerAttr(v)));
    return i32(v);
  };
  Value bits = arith::BitcastOp::create(b, intType, values);
  Value magnitude = arith::AndIOp::create(b, bits, constant(0x7FFFFFFF));
  Value over = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, magnitude,
                                     constant(llvm::bit_cast<int32_t>(limit)));
  if (vector)
    over = vector::ReductionOp::create(b, vector::CombiningKind::OR, over);
  return over;
}

void KernelBuilder::storeTile(Value tile, Value buffer, ValueRange indices,
                              int64_t alignBytes) {
  auto elem = cast<MemRefType>(buffer.getType()).getElementType();
  auto tileType = cast<VectorType>(tile.getType());
  if (isNarrowFloat(elem) && tileType.getElementType() != elem) {
    if (elem.isF16())
      checkF16Range(tile, buffer);
    tile = arith::TruncFOp::create(b, VectorType::get(tileType.getShape(), elem), tile);
  }
  vector::StoreOp::create(b, tile, buffer, indices, /*nontemporal=*/false,
                          alignBytes ? llvm::MaybeAlign(alignBytes) : llvm::MaybeAlign());
}

Value KernelBuilder::loadElement(Value buffer, ValueRange indices) {
  Value v = memref::LoadOp::create(b, buffer, indices);
  if (isNarrowFloat(v.getType()))
    v = arith::ExtFOp::create(b, b.getF32Type(), v);
  return v;
}

void KernelBuilder::storeElement(Value value, Value buffer, ValueRange indices) {
  auto elem = cast<MemRefType>(buffer.getType()).getElementType();
  if (isNarrowFloat(elem) && value.getType() != elem) {
    if (elem.isF16())
      checkF16Range(value, buffer);
    value = arith::TruncFOp::create(b, elem, value);
  }
  memref::StoreOp::create(b, value, buffer, indices);
}

std::pair<ConcatOp, int64_t> KernelBuilder::getFusedConcat(Value rows) {
  if (!rows.hasOneUse())
    return {};
  OpOperand &use = *rows.getUses().begin();
  auto concat = dyn_cast<ConcatOp>(use.getOwner());
  if (!concat || !concat.getFusedOperands() ||
      !llvm::is_contained(*concat.getFusedOperands(),
                          static_cast<int64_t>(use.getOperandNumber())))
    return {};
  int64_t offset = 0;
  for (unsigned i = 0; i < use.getOperandNumber(); ++i)
    offset += cast<RankedTensorType>(concat.getInputs()[i].getType()).getDimSize(1);
  writtenIntoConcat.insert({concat.getOperation(), use.getOperandNumber()});
  return {concat, offset};
}

Value KernelBuilder::getConcatBuffer(ConcatOp concat, Value rows) {
  Value &buffer = concatBuffers[concat];
  if (!buffer) {
    auto type = cast<RankedTensorType>(concat.getType());
    buffer = allocRows(rows, type.getDimSize(1), type.getElementType(), /*exact=*/false,
                       concat);
  }
  return buffer;
}

//===----------------------------------------------------------------------===//
// Activations and epilogues
//===----------------------------------------------------------------------===//

Value applyActivation(KernelBuilder &kb, EpilogueKind kind, double alpha,
                      Value x) {
  ImplicitLocOpBuilder &b = kb.builder();
  auto type = cast<VectorType>(x.getType());
  Value zero = kb.splat(type, 0.0);
  auto positive = [&]() {
    return arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x, zero);
  };
  switch (kind) {
  case EpilogueKind::relu:
    // maximumf propagates NaN, as torch.relu does.
    return arith::MaximumFOp::create(b, x, zero);
  case EpilogueKind::leaky_relu: {
    Value scaled = arith::MulFOp::create(b, x, kb.splat(type, alpha));
    return arith::SelectOp::create(b, positive(), x, scaled);
  }
  case EpilogueKind::sigmoid: {
    Value neg = arith::NegFOp::create(b, x);
    Value e = math::ExpOp::create(b, neg);
    Value den = arith::AddFOp::create(b, kb.splat(type, 1.0), e);
    return arith::DivFOp::create(b, kb.splat(type, 1.0), den);
  }
  case EpilogueKind::tanh:
    return math::TanhOp::create(b, x);
  case EpilogueKind::elu: {
    Value em1 = math::ExpM1Op::create(b, x);
    Value neg = arith::MulFOp::create(b, em1, kb.splat(type, alpha));
    return arith::SelectOp::create(b, positive(), x, neg);
  }
  case EpilogueKind::selu: {
    // PyTorch's constants.
    const double seluAlpha = 1.6732632423543772848170429916717;
    const double seluScale = 1.0507009873554804934193349852946;
    Value em1 = math::ExpM1Op::create(b, x);
    Value neg = arith::MulFOp::create(b, em1, kb.splat(type, seluAlpha));
    Value sel = arith::SelectOp::create(b, positive(), x, neg);
    return arith::MulFOp::create(b, sel, kb.splat(type, seluScale));
  }
  case EpilogueKind::affine:
  case EpilogueKind::residual:
  case EpilogueKind::tap:
    break;
  }
  llvm_unreachable("not an activation");
}

int64_t alignmentOf(Value buffer, int64_t elements, int64_t columnOffset) {
  // Bases: allocations (allocAligned, the GPU runtime's, malloc), parameters
  // (device copies, or exact-size host copies when emulated) and constant
  // globals, all aligned to 16 bytes or more.
  auto type = cast<MemRefType>(buffer.getType());
  int64_t width = type.getRank() == 2 ? type.getDimSize(1) : elements;
  if (!llvm::isPowerOf2_64(elements) || !type.getLayout().isIdentity() ||
      type.getRank() > 2 || ShapedType::isDynamic(width) || width % elements ||
      columnOffset % elements || !type.getElementType().isIntOrFloat())
    return 0;
  return elements * type.getElementTypeBitWidth() / 8;
}

Value applyEpilogue(KernelBuilder &kb, Value acc, const Epilogue &epilogue, Value row,
                    Value channelBegin, bool alignedTiles) {
  ImplicitLocOpBuilder &b = kb.builder();
  int64_t width = cast<VectorType>(acc.getType()).getDimSize(0);
  auto align = [&](Value buffer) { return alignedTiles ? alignmentOf(buffer, width) : 0; };
  auto load = [&](Value buffer, ValueRange indices) {
    return kb.loadTile(buffer, indices, width, align(buffer));
  };
  ArrayRef<Value> operandBuffers = epilogue.buffers;
  unsigned next = 0;
  for (EpilogueStepAttr step : epilogue.steps) {
    switch (step.getKind()) {
    case EpilogueKind::tap: {
      assert(epilogue.tapped && "a tap step without a tapped buffer");
      int64_t column = epilogue.tappedColumn;
      Value at = column ? arith::AddIOp::create(b, channelBegin, kb.index(column)).getResult()
                        : channelBegin;
      kb.storeTile(acc, epilogue.tapped, {row, at},
                   alignedTiles ? alignmentOf(epilogue.tapped, width, column) : 0);
      break;
    }
    case EpilogueKind::affine: {
      Value scale = load(operandBuffers[next], {channelBegin});
      Value shift = load(operandBuffers[next + 1], {channelBegin});
      acc = vector::FMAOp::create(b, acc, scale, shift);
      break;
    }
    case EpilogueKind::residual: {
      Value r = load(operandBuffers[next], {row, channelBegin});
      acc = arith::AddFOp::create(b, acc, r);
      break;
    }
    default:
      acc = applyActivation(kb, step.getKind(), step.getAlphaAsDouble(), acc);
      break;
    }
    next += step.getNumOperands();
  }
  return acc;
}

void forEachRowTile(KernelBuilder &kb, Value rows, int64_t channels,
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

int64_t alignmentOf(Value buffer, const RowTile &t) {
  return t.aligned ? alignmentOf(buffer, t.width) : 0;
}

Value loadTile(KernelBuilder &kb, Value buffer, const RowTile &t) {
  SmallVector<Value, 2> indices;
  if (cast<MemRefType>(buffer.getType()).getRank() == 2)
    indices.push_back(t.row);
  indices.push_back(t.channel);
  return kb.loadTile(buffer, indices, t.width, alignmentOf(buffer, t));
}

void storeTile(KernelBuilder &kb, Value tile, Value buffer, const RowTile &t) {
  kb.storeTile(tile, buffer, {t.row, t.channel}, alignmentOf(buffer, t));
}

} // namespace scn::cpu
