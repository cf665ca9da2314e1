//===- ModelRunner.h - run a compiled network on numpy arrays ---*- C++ -*-===//
//
// A compiled network, JIT-compiled from a module or loaded from an
// scn-compile artifact, called on numpy arrays through the runtime's
// deployment API (scn/Runtime/Model.h).
//
//===----------------------------------------------------------------------===//

#ifndef SCN_EXECUTION_MODELRUNNER_H
#define SCN_EXECUTION_MODELRUNNER_H

#include "scn/Execution/Compile.h"
#include "scn/Support/Npz.h"

#include <memory>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace scn {

class ModelRunner {
public:
  ~ModelRunner();
  /// Lowers and JIT-compiles `module` for the host.
  static llvm::Expected<std::unique_ptr<ModelRunner>>
  jit(mlir::ModuleOp module, const CompileOptions &options);
  /// Loads an scn-compile artifact (dlopen).
  static llvm::Expected<std::unique_ptr<ModelRunner>> load(llvm::StringRef path);

  const EntrySignature &signature() const { return sig; }

  /// Keep the site sets and kernel maps of a run for the next run on the
  /// same coordinates ("maps prebuilt"; see scn_run_set_reuse_geometry).
  void setReuseGeometry(bool reuse);

  /// Runs the network once. `arrays` must hold every input by name; outputs
  /// are returned by name. Errors name the array and what is wrong, or carry
  /// the runtime's message (bad coordinates, NaN features, ...).
  llvm::Expected<NpzFile> run(const NpzFile &arrays);

private:
  ModelRunner() = default;
  /// The JIT's code (null for an artifact); it outlives `model`, which
  /// calls into it.
  std::unique_ptr<mlir::ExecutionEngine> engine;
  EntrySignature sig;
  /// The runtime's model (scn_model_t): the entry, its run and results.
  void *model = nullptr;
};

} // namespace scn

#endif // SCN_EXECUTION_MODELRUNNER_H
