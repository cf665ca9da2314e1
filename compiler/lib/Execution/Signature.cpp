//===- Signature.cpp - inputs and outputs of a compiled network -----------===//

#include "scn/Execution/Signature.h"

#include "scn/Runtime/AbiId.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/DebugStringHelper.h"
#include "llvm/Support/JSON.h"

using namespace mlir;

namespace scn {

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static llvm::Expected<TensorSignature> describe(Type type, std::string name) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return fail("'" + name + "' has type " + llvm::Twine(debugString(type)) +
                "; entry functions take and return ranked tensors");
  TensorSignature sig;
  sig.name = std::move(name);
  for (int64_t d : tensor.getShape())
    sig.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  Type e = tensor.getElementType();
  if (e.isF32())
    sig.dtype = "f4";
  else if (e.isInteger(64))
    sig.dtype = "i8";
  else if (e.isInteger(32))
    sig.dtype = "i4";
  else
    return fail("'" + sig.name + "' has element type " +
                llvm::Twine(debugString(e)) + " (f32, i64 or i32 expected)");
  return sig;
}

llvm::Expected<EntrySignature> getEntrySignature(func::FuncOp func) {
  EntrySignature sig;
  sig.entry = func.getName().str();
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    std::string name = "arg" + std::to_string(i);
    if (auto attr = func.getArgAttrOfType<StringAttr>(i, "scn.name"))
      name = attr.str();
    auto t = describe(func.getArgument(i).getType(), name);
    if (!t)
      return t.takeError();
    sig.inputs.push_back(*t);
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    std::string name =
        func.getNumResults() == 1 ? "output" : "output" + std::to_string(i);
    if (auto attr = func.getResultAttrOfType<StringAttr>(i, "scn.name"))
      name = attr.str();
    auto t = describe(func.getResultTypes()[i], name);
    if (!t)
      return t.takeError();
    sig.outputs.push_back(*t);
  }
  func.walk([&](arith::ConstantOp constant) {
    if (auto type = dyn_cast<RankedTensorType>(constant.getType())) {
      ++sig.numConstants;
      sig.constantBytes +=
          type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
    }
  });
  return sig;
}

static llvm::json::Array toJson(const std::vector<TensorSignature> &list) {
  llvm::json::Array out;
  for (const TensorSignature &t : list) {
    llvm::json::Array shape;
    for (int64_t d : t.shape)
      shape.push_back(d);
    out.push_back(llvm::json::Object{
        {"name", t.name}, {"shape", std::move(shape)}, {"dtype", t.dtype}});
  }
  return out;
}

std::string toManifest(const EntrySignature &s) {
  llvm::json::Object root{{"format", "scn-compile/1"},
                          {"entry", s.entry},
                          {"inputs", toJson(s.inputs)},
                          {"outputs", toJson(s.outputs)},
                          {"constants", s.numConstants},
                          {"constant_bytes", s.constantBytes},
                          {"target", s.target},
                          {"runtime_abi", SCN_RUNTIME_ABI_ID}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(root));
  return text;
}

} // namespace scn
