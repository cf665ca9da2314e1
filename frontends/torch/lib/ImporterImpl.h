//===- ImporterImpl.h - State of one TorchScript import ---------*- C++ -*-===//
//
// Private to the importer: what each TorchScript value stands for, and the
// helpers the op mappings (OpImporters.cpp) use to read their arguments.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_FRONTENDS_TORCH_LIB_IMPORTERIMPL_H
#define SCN_FRONTENDS_TORCH_LIB_IMPORTERIMPL_H

#include "scn/Frontends/Torch/GraphImporter.h"
#include "scn/Frontends/Torch/IREmitter.h"

#include <ATen/core/ivalue.h>
#include <torch/csrc/jit/ir/ir.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace scn::torch_import {

/// What a TorchScript value stands for.
struct Entry {
  enum class Kind {
    Constant,   // an int, float, bool, None, int list, ...: `constant`
    Object,     // a module: `constant` is the object, `path` its name
    Weight,     // a tensor attribute or constant: `constant`, `path`
    GraphInput, // a model input: typed by its first use (`type`)
    Features,   // features `ssa` with `channels`, on sites `sites`
    Sites,      // sites `ssa` of spatial size `size`
    Result,     // a final tensor (`ssa`, `type`): output, dense, ...
    List,       // a list of values: `elements`
    Tuple,      // a tuple of values: `elements`
  };
  /// Which op made a sites value: deconvolutions and OutputLayer check it.
  enum class Origin { Input, BLInput, Dense, Downsample, Full };

  Kind kind = Kind::Constant;
  c10::IValue constant;
  std::string path;
  std::string ssa;
  std::string type;
  int64_t channels = 0;
  std::string sites;
  std::vector<int64_t> size;
  Origin origin = Origin::Input;
  std::string parent; // Downsample/Full: the input sites
  std::vector<int64_t> filter, stride;
  std::vector<const torch::jit::Value *> elements;
};

class GraphImporter {
public:
  GraphImporter(const torch::jit::Module &module, const ImportOptions &options);
  std::string run();

  // -- used by the op mappings ----------------------------------------------
  [[noreturn]] void fail(const torch::jit::Node *node, const std::string &why);
  Entry &lookup(const torch::jit::Node *node, const torch::jit::Value *value);
  Entry &arg(const torch::jit::Node *node, const char *name);
  bool isNone(const torch::jit::Node *node, const char *name);
  int64_t getInt(const torch::jit::Node *node, const char *name);
  double getFloat(const torch::jit::Node *node, const char *name);
  bool getBool(const torch::jit::Node *node, const char *name);
  std::vector<int64_t> getInts(const torch::jit::Node *node, const char *name);
  /// Features operand; the message says what the node needed.
  Entry features(const torch::jit::Node *node, const char *name);
  Entry sites(const torch::jit::Node *node, const char *name);
  /// A weight operand materialised as a constant or argument; its shape is
  /// returned in `shape`.
  std::string weight(const torch::jit::Node *node, const char *name,
                     std::vector<int64_t> &shape);
  /// Types a model input by its use and returns its SSA name.
  std::string graphInput(const torch::jit::Node *node, const char *name,
                         const std::string &type);

  Entry &define(const torch::jit::Value *value, Entry entry);
  Entry makeFeatures(const std::string &ssa, int64_t channels,
                     const std::string &sites);
  Entry makeSites(const std::string &ssa, std::vector<int64_t> size,
                  Entry::Origin origin);

  IREmitter emitter;
  /// Training-mode batch norms return their updated statistics as extra
  /// function results, in program order.
  struct ExtraResult {
    std::string ssa, type;
    std::string name; ///< `scn.name`: the buffer's state_dict path.
  };
  std::vector<ExtraResult> extraResults;

private:
  void importNode(const torch::jit::Node *node);
  void importPrimNode(const torch::jit::Node *node);

  const torch::jit::Module &module;
  ImportOptions options;
  std::unordered_map<const torch::jit::Value *, Entry> values;
  std::unordered_map<const void *, std::pair<std::string, std::string>>
      weightCache;
};

/// The scn:: and aten:: mappings; false when `node` is none of them.
bool importScnNode(GraphImporter &importer, const torch::jit::Node *node);
bool importAtenNode(GraphImporter &importer, const torch::jit::Node *node);

/// `node`'s kind and where it came from (model source, serialized code).
std::string describeNode(const torch::jit::Node *node);

} // namespace scn::torch_import

#endif // SCN_FRONTENDS_TORCH_LIB_IMPORTERIMPL_H
