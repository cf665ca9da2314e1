//===- Signature.h - inputs and outputs of a compiled network ---*- C++ -*-===//
//
// The tensors an entry function takes and returns, as scn-run and the Python
// frontend see them; serialised as the JSON manifest of an scn-compile
// artifact (symbol `scn_model_manifest`).
//
//===----------------------------------------------------------------------===//

#ifndef SCN_EXECUTION_SIGNATURE_H
#define SCN_EXECUTION_SIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace scn {

/// One tensor argument or result of the entry function.
struct TensorSignature {
  std::string name;           ///< `scn.name` attribute, or argN / outputN.
  std::vector<int64_t> shape; ///< -1 for dynamic dimensions.
  std::string dtype;          ///< numpy dtype: "f4", "i8", "i4".
};

struct EntrySignature {
  std::string entry;
  std::vector<TensorSignature> inputs, outputs;
  /// Constant weights embedded in the artifact: count and bytes.
  int64_t numConstants = 0, constantBytes = 0;
  /// What the kernels run on: "cpu" or "cuda" (runs need a GPU).
  std::string target = "cpu";
};

/// Reads the signature of `func` (before lowering).
llvm::Expected<EntrySignature> getEntrySignature(mlir::func::FuncOp func);

/// The JSON manifest of an artifact; the runtime reads it
/// (runtime/lib/CPU/Model.cpp, scn_model_load).
std::string toManifest(const EntrySignature &signature);

/// The packed entry of a compiled network: `args[i]` points to each scalar of
/// the lowered arguments (the run handle, then each memref descriptor's
/// fields), `args[n]` to the storage of the results (the convention of
/// MLIR's ExecutionEngine).
using PackedEntry = void (*)(void **args);

} // namespace scn

#endif // SCN_EXECUTION_SIGNATURE_H
