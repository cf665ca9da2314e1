//===- GraphImporter.h - TorchScript graph to scn dialect IR ----*- C++ -*-===//
//
// Maps the `forward` graph of a traced scn model (scn:: custom ops, a few
// aten ops, and the prim ops that carry constants, lists, tuples and module
// attributes) onto scn dialect IR. Anything else is an error that names the
// node kind and where it came from in the model; nothing is dropped.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_FRONTENDS_TORCH_GRAPHIMPORTER_H
#define SCN_FRONTENDS_TORCH_GRAPHIMPORTER_H

#include <stdexcept>
#include <string>

namespace torch::jit {
struct Module;
} // namespace torch::jit

namespace scn::torch_import {

struct ImportOptions {
  /// Weights as function arguments (after the inputs) instead of
  /// `dense_resource` constants.
  bool weightsAsArgs = false;
  /// For each result that is the features of a sparse tensor, also return
  /// the coordinates of its sites (`scn.coordinates`, rows in the order of
  /// the features), named `<output>_coords`.
  bool outputCoords = false;
  std::string funcName = "main";
};

/// A model that cannot be imported; the message says which node and why.
class ImportError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Imports `module.forward` and returns the textual IR; throws ImportError.
std::string importModule(const torch::jit::Module &module,
                         const ImportOptions &options);

} // namespace scn::torch_import

#endif // SCN_FRONTENDS_TORCH_GRAPHIMPORTER_H
