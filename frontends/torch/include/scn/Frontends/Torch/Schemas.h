//===- Schemas.h - The scn:: TorchScript op schemas -------------*- C++ -*-===//
//
// The schemas of the `scn` custom ops that a traced scn model is made of.
// Registering them (with no kernels) is what lets libtorch load such a
// model; the Python package defines the same list (scn/ops.py).
//
//===----------------------------------------------------------------------===//

#ifndef SCN_FRONTENDS_TORCH_SCHEMAS_H
#define SCN_FRONTENDS_TORCH_SCHEMAS_H

#include <string>
#include <vector>

namespace scn::torch_import {

/// The schemas, one `name(args) -> results` string each, without the
/// `scn::` namespace. They are registered with libtorch at start-up.
const std::vector<std::string> &getSchemas();

} // namespace scn::torch_import

#endif // SCN_FRONTENDS_TORCH_SCHEMAS_H
