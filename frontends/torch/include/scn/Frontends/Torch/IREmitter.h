//===- IREmitter.h - Textual scn dialect IR writer --------------*- C++ -*-===//
//
// Writes one `func.func` of scn dialect IR as text, the way
// utils/spec_to_mlir.py does: SSA values are named as they are created,
// weights become `dense_resource` constants or function arguments, and the
// signature is assembled at the end. The importer does not link MLIR; the
// output is checked by parsing it with scn-opt.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_FRONTENDS_TORCH_IREMITTER_H
#define SCN_FRONTENDS_TORCH_IREMITTER_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace scn::torch_import {

/// `tensor<?x4xf32>`; a negative size is a dynamic dimension.
std::string tensorType(const std::vector<int64_t> &shape,
                       const std::string &element = "f32");
/// `!scn.sites<2, [32, 32]>`.
std::string sitesType(const std::vector<int64_t> &spatialSize);
/// `array<i64: 3, 3>`.
std::string i64Array(const std::vector<int64_t> &values);
/// A float attribute value `0.0001 : f64` (shortest text that round-trips).
std::string f64Attr(double value);
/// `[2, 2]`, for messages.
std::string listString(const std::vector<int64_t> &values);

/// Builds the body, the arguments and the resources of one function.
class IREmitter {
public:
  /// A fresh SSA name `%<prefix><n>`.
  std::string fresh(const std::string &prefix = "v");
  /// Appends one line to the body.
  void emit(const std::string &line);

  /// A valid, unique SSA name `%<hint>` for a function input; the input
  /// itself is added later (inputs come first, in the model's order).
  std::string reserveInputName(const std::string &nameHint);
  /// Adds a function input named by reserveInputName; its `scn.name`
  /// attribute is the SSA name without `%`.
  void addInput(const std::string &name, const std::string &type);
  /// Adds a weight argument (after every input), with `nameHint` (the
  /// state_dict path) as its `scn.name`; returns its SSA name.
  std::string addArgument(const std::string &nameHint, const std::string &type);
  /// Emits an `arith.constant dense_resource<key>` holding `data` (f32,
  /// little-endian) and returns its SSA name; `keyHint` is made unique.
  std::string addResource(const std::string &keyHint, const std::string &type,
                          const float *data, size_t count);
  /// Adds a function result; a non-empty `name` becomes its `scn.name`
  /// attribute (the name scn-run and the artifact manifest use).
  void addResult(const std::string &value, const std::string &type,
                 const std::string &name = "");

  /// The whole function (and its resources) as text.
  std::string finish(const std::string &funcName) const;

private:
  std::string uniqueName(const std::string &hint);

  std::vector<std::string> body;
  /// An argument or result: SSA value, type, `scn.name` (may be empty).
  struct Slot {
    std::string value, type, name;
  };
  std::vector<Slot> inputs;
  std::vector<Slot> arguments;
  std::vector<Slot> results;
  std::vector<std::pair<std::string, std::string>> resources;
  std::map<std::string, int> usedNames;
  int counter = 0;
};

} // namespace scn::torch_import

#endif // SCN_FRONTENDS_TORCH_IREMITTER_H
