//===- JitRunner.h - compile and run an scn module in-process ---*- C++ -*-===//
//
// What scn-run does with a .mlir file: lower it with --scn-cpu-pipeline, JIT
// it for the host CPU with MLIR's ExecutionEngine, and call its entry
// function on numpy arrays, one scn_run_t per call.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_EXECUTION_JITRUNNER_H
#define SCN_EXECUTION_JITRUNNER_H

#include "scn/Support/Npz.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
class MLIRContext;
} // namespace mlir

namespace scn {

/// One tensor argument or result of the entry function.
struct TensorSignature {
  std::string name;           ///< `scn.name` argument attribute, or argN/resultN.
  std::vector<int64_t> shape; ///< -1 for dynamic dimensions.
  std::string dtype;          ///< numpy dtype: "f4", "i8", "i4".
};

struct JitOptions {
  std::string entry = "main";
  /// Host CPU name for code generation; empty: the host's.
  std::string cpu;
  unsigned optLevel = 3;
};

class JitRunner {
public:
  ~JitRunner();
  /// Parses the entry signature, lowers `module` and JIT-compiles it.
  static llvm::Expected<std::unique_ptr<JitRunner>>
  create(mlir::ModuleOp module, const JitOptions &options);

  const std::vector<TensorSignature> &inputs() const { return inputSigs; }
  const std::vector<TensorSignature> &outputs() const { return outputSigs; }

  /// Runs the entry function once. `arrays` must hold every input by name;
  /// outputs are returned by name. Errors name the array and what is wrong,
  /// or carry the runtime's message (bad coordinates, NaN features, ...).
  llvm::Expected<NpzFile> run(const NpzFile &arrays);

private:
  JitRunner() = default;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::string entry;
  std::vector<TensorSignature> inputSigs, outputSigs;
};

} // namespace scn

#endif // SCN_EXECUTION_JITRUNNER_H
