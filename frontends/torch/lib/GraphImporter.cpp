//===- GraphImporter.cpp - TorchScript graph to scn dialect IR ------------===//
//
// The walk over the inlined `forward` graph, the prim ops that only carry
// values (constants, lists, tuples, module attributes), weights, model
// inputs and results. The op mappings live in OpImporters.cpp.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/passes/lower_tuples.h>

#include <sstream>

using namespace scn::torch_import;
using torch::jit::Node;
using torch::jit::Value;

std::string scn::torch_import::describeNode(const Node *node) {
  std::ostringstream os;
  os << node->kind().toQualString();
  const torch::jit::SourceRange &range = node->sourceRange();
  // A traced model keeps the Python line that recorded each node (for
  // scn:: ops that line is inside torch; the module scope says which layer).
  if (auto origin = range.findSourceRangeThatGenerated())
    if (auto flc = origin->file_line_col())
      os << "\n  at " << std::get<0>(*flc) << ":" << std::get<1>(*flc);
  if (auto flc = range.file_line_col())
    os << "\n  in the model's code " << std::get<0>(*flc) << ":"
       << std::get<1>(*flc) << ":" << std::get<2>(*flc);
  std::string scope = node->scopeName();
  if (!scope.empty())
    os << "\n  in module " << scope;
  std::ostringstream text;
  text << *node;
  std::string line = text.str();
  if (!line.empty() && line.back() == '\n')
    line.pop_back();
  os << "\n  node: " << line;
  return os.str();
}

GraphImporter::GraphImporter(const torch::jit::Module &module,
                             const ImportOptions &options)
    : module(module), options(options) {}

void GraphImporter::fail(const Node *node, const std::string &why) {
  throw ImportError("cannot import node " + describeNode(node) + "\n  " + why);
}

Entry &GraphImporter::define(const Value *value, Entry entry) {
  return values[value] = std::move(entry);
}

Entry &GraphImporter::lookup(const Node *node, const Value *value) {
  auto it = values.find(value);
  if (it == values.end())
    fail(node, "operand %" + value->debugName() + " has no known value");
  return it->second;
}

Entry &GraphImporter::arg(const Node *node, const char *name) {
  return lookup(node, node->namedInput(name));
}

bool GraphImporter::isNone(const Node *node, const char *name) {
  Entry &e = arg(node, name);
  return e.kind == Entry::Kind::Constant && e.constant.isNone();
}

static std::string argError(const char *name, const char *what) {
  return std::string("argument '") + name + "' must be " + what +
         " (a constant of the traced model)";
}

int64_t GraphImporter::getInt(const Node *node, const char *name) {
  Entry &e = arg(node, name);
  if (e.kind != Entry::Kind::Constant || !e.constant.isInt())
    fail(node, argError(name, "an int"));
  return e.constant.toInt();
}

double GraphImporter::getFloat(const Node *node, const char *name) {
  Entry &e = arg(node, name);
  if (e.kind == Entry::Kind::Constant && e.constant.isDouble())
    return e.constant.toDouble();
  if (e.kind == Entry::Kind::Constant && e.constant.isInt())
    return static_cast<double>(e.constant.toInt());
  fail(node, argError(name, "a number"));
}

bool GraphImporter::getBool(const Node *node, const char *name) {
  Entry &e = arg(node, name);
  if (e.kind != Entry::Kind::Constant || !e.constant.isBool())
    fail(node, argError(name, "a bool"));
  return e.constant.toBool();
}

std::vector<int64_t> GraphImporter::getInts(const Node *node,
                                            const char *name) {
  Entry &e = arg(node, name);
  if (e.kind != Entry::Kind::Constant || !e.constant.isIntList())
    fail(node, argError(name, "an int list"));
  return e.constant.toIntVector();
}

Entry GraphImporter::features(const Node *node, const char *name) {
  Entry &e = arg(node, name);
  if (e.kind != Entry::Kind::Features)
    fail(node, std::string("operand '") + name +
                   "' must be the features of a sparse tensor (the output of "
                   "an scn layer)");
  return e;
}

Entry GraphImporter::sites(const Node *node, const char *name) {
  Entry &e = arg(node, name);
  if (e.kind != Entry::Kind::Sites)
    fail(node, std::string("operand '") + name +
                   "' must be a sites tensor made by an scn op");
  return e;
}

std::string GraphImporter::weight(const Node *node, const char *name,
                                  std::vector<int64_t> &shape) {
  Entry &e = arg(node, name);
  if (e.kind != Entry::Kind::Weight)
    fail(node, std::string("operand '") + name +
                   "' must be a parameter, buffer or constant tensor of the "
                   "model (its value is needed)");
  at::Tensor t = e.constant.toTensor();
  shape = t.sizes().vec();
  if (t.scalar_type() != at::kFloat)
    fail(node, "weight '" + e.path + "' has dtype " +
                   std::string(c10::toString(t.scalar_type())) +
                   "; only float32 weights are supported");
  // One constant (or argument) per tensor, however often it is used.
  const void *key = t.unsafeGetTensorImpl();
  auto it = weightCache.find(key);
  if (it != weightCache.end())
    return it->second.first;
  std::string type = tensorType(shape);
  std::string ssa;
  if (options.weightsAsArgs) {
    ssa = emitter.addArgument(e.path, type);
  } else {
    at::Tensor data = t.detach().to(at::kCPU).contiguous();
    ssa = emitter.addResource(e.path, type, data.data_ptr<float>(),
                              static_cast<size_t>(data.numel()));
  }
  weightCache[key] = {ssa, type};
  return ssa;
}

std::string GraphImporter::graphInput(const Node *node, const char *name,
                                      const std::string &type) {
  Entry &e = arg(node, name);
  if (e.kind != Entry::Kind::GraphInput)
    fail(node, std::string("operand '") + name +
                   "' must be an input of the model's forward (computing it "
                   "inside the model is not supported)");
  if (!e.type.empty() && e.type != type)
    fail(node, "model input " + e.ssa + " is used as " + e.type +
                   " and as " + type);
  e.type = type;
  return e.ssa;
}

Entry GraphImporter::makeFeatures(const std::string &ssa, int64_t channels,
                                  const std::string &sites) {
  Entry e;
  e.kind = Entry::Kind::Features;
  e.ssa = ssa;
  e.channels = channels;
  e.sites = sites;
  return e;
}

Entry GraphImporter::makeSites(const std::string &ssa,
                               std::vector<int64_t> size,
                               Entry::Origin origin) {
  Entry e;
  e.kind = Entry::Kind::Sites;
  e.ssa = ssa;
  e.size = std::move(size);
  e.origin = origin;
  return e;
}

void GraphImporter::importPrimNode(const Node *node) {
  std::string kind = node->kind().toQualString();
  if (kind == "prim::Constant") {
    Entry e;
    c10::optional<c10::IValue> value = torch::jit::toIValue(node->output());
    if (!value)
      fail(node, "constant of an unsupported type");
    e.constant = *value;
    if (value->isTensor()) {
      e.kind = Entry::Kind::Weight;
      e.path = "constant";
    }
    define(node->output(), e);
    return;
  }
  if (kind == "prim::GetAttr") {
    Entry &object = lookup(node, node->input());
    if (object.kind != Entry::Kind::Object)
      fail(node, "attribute of something that is not a module");
    std::string name = node->s(c10::attr::name);
    c10::IValue value = object.constant.toObject()->getAttr(name);
    Entry e;
    e.constant = value;
    e.path = object.path.empty() ? name : object.path + "." + name;
    e.kind = value.isObject()   ? Entry::Kind::Object
             : value.isTensor() ? Entry::Kind::Weight
                                : Entry::Kind::Constant;
    define(node->output(), e);
    return;
  }
  if (kind == "prim::ListConstruct" || kind == "prim::TupleConstruct") {
    // Lists of constant ints (sizes) become constants; others (features
    // for aten::cat, tuples) keep their elements.
    bool ints = kind == "prim::ListConstruct";
    for (const Value *v : node->inputs()) {
      Entry &e = lookup(node, v);
      ints &= e.kind == Entry::Kind::Constant && e.constant.isInt();
    }
    Entry e;
    if (ints) {
      c10::List<int64_t> list;
      for (const Value *v : node->inputs())
        list.push_back(values[v].constant.toInt());
      e.constant = list;
    } else {
      e.kind = kind == "prim::ListConstruct" ? Entry::Kind::List
                                             : Entry::Kind::Tuple;
      e.elements.assign(node->inputs().begin(), node->inputs().end());
    }
    define(node->output(), e);
    return;
  }
  if (kind == "prim::TupleUnpack" || kind == "prim::ListUnpack") {
    Entry whole = lookup(node, node->input());
    if ((whole.kind != Entry::Kind::Tuple && whole.kind != Entry::Kind::List) ||
        whole.elements.size() != node->outputs().size())
      fail(node, "unpacks something that is not a list or tuple of values "
                 "of the model");
    for (size_t i = 0; i < whole.elements.size(); ++i)
      define(node->outputs()[i], values[whole.elements[i]]);
    return;
  }
  fail(node, "this node kind has no scn equivalent; the importer maps scn:: "
             "ops, aten activations (relu, leaky_relu, sigmoid, tanh, elu, "
             "selu), aten::cat and aten::add of features");
}

void GraphImporter::importNode(const Node *node) {
  if (!node->blocks().empty())
    fail(node, "control flow is not supported (trace the model rather than "
               "scripting it)");
  if (importScnNode(*this, node) || importAtenNode(*this, node))
    return;
  importPrimNode(node);
}

std::string GraphImporter::run() {
  torch::jit::Method forward = module.get_method("forward");
  std::shared_ptr<torch::jit::Graph> graph = forward.graph()->copy();
  // Submodule calls are inlined; tuples the tracer made at module
  // boundaries and the dead values left behind are removed.
  torch::jit::Inline(*graph);
  torch::jit::LowerSimpleTuples(graph);
  torch::jit::EliminateDeadCode(graph);

  // Input 0 is the module itself; the others are typed by their use.
  std::vector<const Value *> inputs;
  for (size_t i = 0; i < graph->inputs().size(); ++i) {
    const Value *v = graph->inputs()[i];
    Entry e;
    if (i == 0) {
      e.kind = Entry::Kind::Object;
      e.constant = module._ivalue();
    } else {
      e.kind = Entry::Kind::GraphInput;
      std::string hint = v->debugNameBase();
      e.ssa = emitter.reserveInputName(hint.empty() ? "arg" : hint);
      inputs.push_back(v);
    }
    define(v, e);
  }

  for (const Node *node : graph->nodes())
    importNode(node);

  for (const Value *v : inputs) {
    const Entry &e = values[v];
    if (e.type.empty())
      throw ImportError("model input " + e.ssa +
                        " is not used by an scn input op (scn::input, "
                        "scn::bl_input or scn::dense_to_sparse)");
    emitter.addInput(e.ssa, e.type);
  }

  // The results: one value, or the elements of a returned tuple.
  std::vector<const Value *> outputs(graph->outputs().begin(),
                                     graph->outputs().end());
  if (outputs.size() == 1) {
    auto it = values.find(outputs[0]);
    if (it != values.end() && it->second.kind == Entry::Kind::Tuple)
      outputs = it->second.elements;
  }
  // Results are named (`scn.name`) when there is more than one: `output`
  // (or `output<i>` for several model outputs), `<output>_coords` for the
  // sites of a sparse output (with --output-coords), and the state_dict path
  // of each updated batch-norm statistic.
  struct Result {
    std::string ssa, type, name;
  };
  std::vector<Result> results, coords;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Value *v = outputs[i];
    auto it = values.find(v);
    if (it == values.end())
      throw ImportError("model output %" + v->debugName() + " is unknown");
    const Entry &e = it->second;
    std::string name =
        outputs.size() == 1 ? "output" : "output" + std::to_string(i);
    if (e.kind == Entry::Kind::Features) {
      results.push_back({e.ssa, tensorType({-1, e.channels}), name});
      if (options.outputCoords) {
        const Entry *sites = nullptr;
        for (const auto &[value, entry] : values)
          if (entry.kind == Entry::Kind::Sites && entry.ssa == e.sites)
            sites = &entry;
        if (!sites)
          throw ImportError("model output %" + v->debugName() +
                            " has no known sites");
        std::string c = emitter.fresh("c");
        emitter.emit(c + " = scn.coordinates " + e.sites + " : " +
                     sitesType(sites->size));
        coords.push_back(
            {c,
             tensorType({-1, static_cast<int64_t>(sites->size.size()) + 1},
                        "i64"),
             name + "_coords"});
      }
    } else if (e.kind == Entry::Kind::Result) {
      results.push_back({e.ssa, e.type, name});
    } else {
      throw ImportError("model output %" + v->debugName() +
                        " is not a features or dense tensor made by scn ops");
    }
  }
  results.insert(results.end(), coords.begin(), coords.end());
  for (const auto &extra : extraResults)
    results.push_back({extra.ssa, extra.type, extra.name});
  for (const Result &r : results)
    emitter.addResult(r.ssa, r.type, results.size() == 1 ? "" : r.name);
  return emitter.finish(options.funcName);
}

std::string scn::torch_import::importModule(const torch::jit::Module &module,
                                            const ImportOptions &options) {
  GraphImporter importer(module, options);
  return importer.run();
}
