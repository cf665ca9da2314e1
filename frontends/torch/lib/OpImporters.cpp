//===- OpImporters.cpp - scn:: and aten:: nodes to scn dialect ops --------===//
//
// One function per TorchScript op. Each checks what the scn dialect's
// verifier would (channels, sizes, which sites a value lives on) so that a
// bad model is reported at its node, then emits the op as text.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include <functional>
#include <unordered_map>

using namespace scn::torch_import;
using torch::jit::Node;

namespace {

using Handler = std::function<void(GraphImporter &, const Node *)>;

std::string featuresType(int64_t channels) {
  return tensorType({-1, channels});
}

int64_t product(const std::vector<int64_t> &v) {
  int64_t p = 1;
  for (int64_t x : v)
    p *= x;
  return p;
}

/// Filter and stride lists of a strided op on sites of dimension `dim`.
void checkFilter(GraphImporter &im, const Node *n, size_t dim,
                 const std::vector<int64_t> &filter,
                 const std::vector<int64_t> *stride) {
  bool ok = filter.size() == dim;
  for (int64_t f : filter)
    ok &= f >= 1;
  if (stride) {
    ok &= stride->size() == dim;
    for (int64_t t : *stride)
      ok &= t >= 1;
  }
  if (!ok)
    im.fail(n, "filter size " + listString(filter) +
                   (stride ? " / stride " + listString(*stride) : "") +
                   " does not fit " + std::to_string(dim) +
                   "-dimensional sites (one positive value per axis)");
}

/// The features operand, which must live on `sitesSsa`.
Entry featuresOn(GraphImporter &im, const Node *n, const char *name,
                 const Entry &sites) {
  Entry x = im.features(n, name);
  if (x.sites != sites.ssa)
    im.fail(n, std::string("features '") + name + "' live on sites " +
                   x.sites + ", not on the op's input sites " + sites.ssa);
  return x;
}

std::string sizeAttrs(const std::vector<int64_t> &filter,
                      const std::vector<int64_t> &stride) {
  return "filter_size = " + i64Array(filter) +
         ", filter_stride = " + i64Array(stride);
}

//===----------------------------------------------------------------------===//
// Input and output
//===----------------------------------------------------------------------===//

std::vector<int64_t> spatialSize(GraphImporter &im, const Node *n) {
  std::vector<int64_t> size = im.getInts(n, "spatial_size");
  bool ok = !size.empty() && size.size() <= 10;
  for (int64_t s : size)
    ok &= s >= 1;
  if (!ok)
    im.fail(n, "spatial size " + listString(size) +
                   " must have 1 to 10 positive entries");
  return size;
}

int64_t inputMode(GraphImporter &im, const Node *n) {
  int64_t mode = im.getInt(n, "mode");
  if (mode < 0 || mode > 4)
    im.fail(n, "mode must be 0..4, got " + std::to_string(mode));
  return mode;
}

int64_t channelCount(GraphImporter &im, const Node *n) {
  int64_t c = im.getInt(n, "channels");
  if (c < 1)
    im.fail(n, "the input must have at least one channel");
  return c;
}

void importInput(GraphImporter &im, const Node *n) {
  std::vector<int64_t> size = spatialSize(im, n);
  int64_t mode = inputMode(im, n), batch = im.getInt(n, "batch_size");
  int64_t c = channelCount(im, n);
  std::string ct = tensorType({-1, int64_t(size.size()) + 1}, "i64");
  std::string ft = featuresType(c);
  std::string coords = im.graphInput(n, "coords", ct);
  std::string feats = im.graphInput(n, "features", ft);
  std::string s = im.emitter.fresh("s"), x = im.emitter.fresh("x");
  std::string attrs = "mode = " + std::to_string(mode) + " : i64";
  if (batch > 0)
    attrs = "batch_size = " + std::to_string(batch) + " : i64, " + attrs;
  im.emitter.emit(s + ", " + x + " = scn.input " + coords + ", " + feats +
                  " {" + attrs + "} : " + ct + ", " + ft + " -> " +
                  sitesType(size) + ", " + ft);
  im.define(n->outputs()[0], im.makeSites(s, size, Entry::Origin::Input));
  im.define(n->outputs()[1], im.makeFeatures(x, c, s));
}

void importBLInput(GraphImporter &im, const Node *n) {
  std::vector<int64_t> size = spatialSize(im, n);
  int64_t mode = inputMode(im, n), c = channelCount(im, n);
  std::string ct = tensorType({-1, -1, int64_t(size.size())}, "i64");
  std::string ft = tensorType({-1, -1, c});
  std::string coords = im.graphInput(n, "coords", ct);
  std::string feats = im.graphInput(n, "features", ft);
  std::string s = im.emitter.fresh("s"), x = im.emitter.fresh("x");
  im.emitter.emit(s + ", " + x + " = scn.bl_input " + coords + ", " + feats +
                  " {mode = " + std::to_string(mode) + " : i64} : " + ct +
                  ", " + ft + " -> " + sitesType(size) + ", " +
                  featuresType(c));
  im.define(n->outputs()[0], im.makeSites(s, size, Entry::Origin::BLInput));
  im.define(n->outputs()[1], im.makeFeatures(x, c, s));
}

void importDenseToSparse(GraphImporter &im, const Node *n) {
  std::vector<int64_t> size = spatialSize(im, n);
  int64_t c = channelCount(im, n);
  std::vector<int64_t> shape = {-1, c};
  shape.insert(shape.end(), size.begin(), size.end());
  std::string dt = tensorType(shape);
  std::string dense = im.graphInput(n, "input", dt);
  std::string s = im.emitter.fresh("s"), x = im.emitter.fresh("x");
  im.emitter.emit(s + ", " + x + " = scn.dense_to_sparse " + dense + " : " +
                  dt);
  im.define(n->outputs()[0], im.makeSites(s, size, Entry::Origin::Dense));
  im.define(n->outputs()[1], im.makeFeatures(x, c, s));
}

/// scn.output, scn.bl_output and scn.sparse_to_dense: a final tensor.
void importOutputLike(GraphImporter &im, const Node *n, const char *op) {
  Entry s = im.sites(n, "sites");
  Entry x = featuresOn(im, n, "input", s);
  std::vector<int64_t> shape = {-1, x.channels};
  std::string opName = op;
  if (opName == "output" && s.origin != Entry::Origin::Input)
    im.fail(n, "OutputLayer needs the sites of the InputLayer (features at "
               "the input scale)");
  if (opName == "bl_output" && s.origin != Entry::Origin::BLInput)
    im.fail(n, "BLOutputLayer needs the sites of the BLInputLayer");
  if (opName == "bl_output")
    shape = {-1, -1, x.channels};
  if (opName == "sparse_to_dense")
    shape.insert(shape.end(), s.size.begin(), s.size.end());
  Entry r;
  r.kind = Entry::Kind::Result;
  r.ssa = im.emitter.fresh();
  r.type = tensorType(shape);
  im.emitter.emit(r.ssa + " = scn." + opName + " " + x.ssa + " on " + s.ssa +
                  " : " + featuresType(x.channels) + ", " + sitesType(s.size));
  im.define(n->output(), r);
}

//===----------------------------------------------------------------------===//
// Geometry
//===----------------------------------------------------------------------===//

void importNewSites(GraphImporter &im, const Node *n, bool full) {
  Entry in = im.sites(n, "sites");
  std::vector<int64_t> filter = im.getInts(n, "filter_size");
  std::vector<int64_t> stride = im.getInts(n, "filter_stride");
  checkFilter(im, n, in.size.size(), filter, &stride);
  std::vector<int64_t> out;
  for (size_t i = 0; i < filter.size(); ++i) {
    int64_t s = in.size[i], f = filter[i], t = stride[i];
    if (full) {
      out.push_back((s - 1) * t + f);
      continue;
    }
    // SCN's rule: out = (in - size) / stride + 1, exactly.
    if (s < f || (s - f) % t != 0)
      im.fail(n, "input size " + listString(in.size) +
                     " does not fit filter " + listString(filter) +
                     " and stride " + listString(stride));
    out.push_back((s - f) / t + 1);
  }
  std::string ssa = im.emitter.fresh("s");
  im.emitter.emit(ssa + " = scn." + (full ? "full_sites " : "downsample ") +
                  in.ssa + " {" + sizeAttrs(filter, stride) + "} : " +
                  sitesType(in.size));
  Entry e = im.makeSites(
      ssa, out, full ? Entry::Origin::Full : Entry::Origin::Downsample);
  e.parent = in.ssa;
  e.filter = filter;
  e.stride = stride;
  im.define(n->output(), e);
}

/// For deconv/unpool: `small` must be the downsample of `big` with the same
/// filter and stride (SCN's "a deconvolution undoes a convolution").
void checkUndoes(GraphImporter &im, const Node *n, const Entry &small,
                 const Entry &big, const std::vector<int64_t> &filter,
                 const std::vector<int64_t> &stride) {
  if (small.origin != Entry::Origin::Downsample || small.parent != big.ssa ||
      small.filter != filter || small.stride != stride)
    im.fail(n, "the input sites must be the downsample of the output sites "
               "with filter " + listString(filter) + " and stride " +
               listString(stride) + " (a Deconvolution/UnPooling undoes a "
               "strided layer of the same scale)");
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

/// Weight [V, G, nIn/G, nOut/G] (and bias [nOut]) of a convolution reading
/// `x`; returns nOut and the ` bias(...)` text.
int64_t convWeights(GraphImporter &im, const Node *n, const Entry &x,
                    const std::vector<int64_t> &filter, std::string &w,
                    std::string &wt, std::string &bias) {
  std::vector<int64_t> shape;
  w = im.weight(n, "weight", shape);
  wt = tensorType(shape);
  if (shape.size() != 4 || shape[0] != product(filter) ||
      shape[1] * shape[2] != x.channels)
    im.fail(n, "weight " + wt + " must be [" + std::to_string(product(filter)) +
                   ", groups, " + std::to_string(x.channels) +
                   " / groups, nOut / groups] for filter " +
                   listString(filter) + " and " + std::to_string(x.channels) +
                   " input channels");
  int64_t nOut = shape[1] * shape[3];
  bias.clear();
  if (!im.isNone(n, "bias")) {
    std::vector<int64_t> bshape;
    std::string b = im.weight(n, "bias", bshape);
    if (bshape != std::vector<int64_t>{nOut})
      im.fail(n, "bias " + tensorType(bshape) + " must be [" +
                     std::to_string(nOut) + "]");
    bias = " bias(" + b + " : " + tensorType(bshape) + ")";
  }
  return nOut;
}

void importSubmanifoldConv(GraphImporter &im, const Node *n) {
  Entry s = im.sites(n, "sites");
  Entry x = featuresOn(im, n, "input", s);
  std::vector<int64_t> filter = im.getInts(n, "filter_size");
  checkFilter(im, n, s.size.size(), filter, nullptr);
  std::string w, wt, bias;
  int64_t nOut = convWeights(im, n, x, filter, w, wt, bias);
  std::string y = im.emitter.fresh();
  im.emitter.emit(y + " = scn.submanifold_conv " + x.ssa + ", " + w + " on " +
                  s.ssa + bias + " {filter_size = " + i64Array(filter) +
                  "} : " + featuresType(x.channels) + ", " + wt + ", " +
                  sitesType(s.size));
  im.define(n->output(), im.makeFeatures(y, nOut, s.ssa));
}

void importStridedConv(GraphImporter &im, const Node *n, const char *op) {
  Entry in = im.sites(n, "in_sites"), out = im.sites(n, "out_sites");
  Entry x = featuresOn(im, n, "input", in);
  std::vector<int64_t> filter = im.getInts(n, "filter_size");
  std::vector<int64_t> stride = im.getInts(n, "filter_stride");
  checkFilter(im, n, in.size.size(), filter, &stride);
  std::string opName = op;
  if (opName == "deconv") {
    checkUndoes(im, n, in, out, filter, stride);
  } else {
    auto want = opName == "conv" ? Entry::Origin::Downsample
                                 : Entry::Origin::Full;
    const char *producer =
        opName == "conv" ? "scn::downsample" : "scn::full_sites";
    if (out.origin != want || out.parent != in.ssa)
      im.fail(n, std::string("the output sites must be the ") + producer +
                     " of the input sites");
  }
  std::string w, wt, bias;
  int64_t nOut = convWeights(im, n, x, filter, w, wt, bias);
  std::string y = im.emitter.fresh();
  im.emitter.emit(y + " = scn." + opName + " " + x.ssa + ", " + w + " from " +
                  in.ssa + " to " + out.ssa + bias + " {" +
                  sizeAttrs(filter, stride) + "} : " +
                  featuresType(x.channels) + ", " + wt + ", " +
                  sitesType(in.size) + " -> " + sitesType(out.size));
  im.define(n->output(), im.makeFeatures(y, nOut, out.ssa));
}

void importLinear(GraphImporter &im, const Node *n) {
  Entry x = im.features(n, "input");
  std::vector<int64_t> shape;
  std::string w = im.weight(n, "weight", shape);
  std::string wt = tensorType(shape);
  if (shape.size() != 2 || shape[0] != x.channels)
    im.fail(n, "weight " + wt + " must be [" + std::to_string(x.channels) +
                   ", nOut]");
  std::string bias;
  if (!im.isNone(n, "bias")) {
    std::vector<int64_t> bshape;
    std::string b = im.weight(n, "bias", bshape);
    if (bshape != std::vector<int64_t>{shape[1]})
      im.fail(n, "bias " + tensorType(bshape) + " must be [" +
                     std::to_string(shape[1]) + "]");
    bias = " bias(" + b + " : " + tensorType(bshape) + ")";
  }
  std::string y = im.emitter.fresh();
  im.emitter.emit(y + " = scn.linear " + x.ssa + ", " + w + bias + " : " +
                  featuresType(x.channels) + ", " + wt);
  im.define(n->output(), im.makeFeatures(y, shape[1], x.sites));
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

void importPool(GraphImporter &im, const Node *n, const char *op) {
  Entry in = im.sites(n, "in_sites"), out = im.sites(n, "out_sites");
  Entry x = featuresOn(im, n, "input", in);
  std::vector<int64_t> filter = im.getInts(n, "filter_size");
  std::vector<int64_t> stride = im.getInts(n, "filter_stride");
  checkFilter(im, n, in.size.size(), filter, &stride);
  int64_t drop = im.getInt(n, "features_to_drop");
  if (drop < 0 || drop >= x.channels)
    im.fail(n, "cannot drop " + std::to_string(drop) + " of " +
                   std::to_string(x.channels) + " channels");
  std::string opName = op;
  if (opName == "unpool")
    checkUndoes(im, n, in, out, filter, stride);
  else if (out.origin != Entry::Origin::Downsample || out.parent != in.ssa)
    im.fail(n, "the output sites must be the scn::downsample of the input "
               "sites");
  std::string attrs = sizeAttrs(filter, stride);
  if (drop)
    attrs += ", features_to_drop = " + std::to_string(drop) + " : i64";
  std::string y = im.emitter.fresh();
  im.emitter.emit(y + " = scn." + opName + " " + x.ssa + " from " + in.ssa +
                  " to " + out.ssa + " {" + attrs + "} : " +
                  featuresType(x.channels) + ", " + sitesType(in.size) +
                  " -> " + sitesType(out.size));
  im.define(n->output(), im.makeFeatures(y, x.channels - drop, out.ssa));
}

//===----------------------------------------------------------------------===//
// Pointwise
//===----------------------------------------------------------------------===//

std::string vectorOperand(GraphImporter &im, const Node *n, const char *name,
                          int64_t channels) {
  std::vector<int64_t> shape;
  std::string v = im.weight(n, name, shape);
  if (shape != std::vector<int64_t>{channels})
    im.fail(n, std::string(name) + " " + tensorType(shape) + " must be [" +
                   std::to_string(channels) + "]");
  return v;
}

void importBatchNorm(GraphImporter &im, const Node *n) {
  Entry x = im.features(n, "input");
  std::string vt = tensorType({x.channels});
  std::string mean = vectorOperand(im, n, "running_mean", x.channels);
  std::string var = vectorOperand(im, n, "running_var", x.channels);
  std::string affine;
  if (!im.isNone(n, "weight"))
    affine += " weight(" + vectorOperand(im, n, "weight", x.channels) + " : " +
              vt + ")";
  if (!im.isNone(n, "bias"))
    affine += " bias(" + vectorOperand(im, n, "bias", x.channels) + " : " +
              vt + ")";
  bool training = im.getBool(n, "training");
  std::string attrs = "eps = " + f64Attr(im.getFloat(n, "eps")) +
                      ", momentum = " + f64Attr(im.getFloat(n, "momentum")) +
                      ", leakiness = " + f64Attr(im.getFloat(n, "leakiness"));
  std::string y = im.emitter.fresh(), results = y;
  if (training) {
    // The updated running statistics become function results.
    std::string stats = im.emitter.fresh("stats");
    results += ", " + stats + ":2";
    attrs += ", training";
    im.extraResults.push_back(
        {stats + "#0", vt, im.arg(n, "running_mean").path});
    im.extraResults.push_back(
        {stats + "#1", vt, im.arg(n, "running_var").path});
  }
  im.emitter.emit(results + " = scn.batch_norm " + x.ssa + ", " + mean + ", " +
                  var + affine + " {" + attrs + "} : " +
                  featuresType(x.channels) + ", " + vt + ", " + vt);
  im.define(n->output(), im.makeFeatures(y, x.channels, x.sites));
}

void importDropout(GraphImporter &im, const Node *n) {
  Entry x = im.features(n, "input");
  bool training = im.getBool(n, "training");
  if (training && im.getBool(n, "batchwise"))
    im.fail(n, "BatchwiseDropout in training mode has no scn op (trace the "
               "model in eval mode)");
  std::string y = im.emitter.fresh();
  im.emitter.emit(y + " = scn.dropout " + x.ssa + " {p = " +
                  f64Attr(im.getFloat(n, "p")) +
                  (training ? ", training" : "") + "} : " +
                  featuresType(x.channels));
  im.define(n->output(), im.makeFeatures(y, x.channels, x.sites));
}

/// An activation; `attrs` (without braces) may be empty.
void emitUnary(GraphImporter &im, const Node *n, const char *name,
               const std::string &op, const std::string &attrs) {
  Entry x = im.features(n, name);
  std::string y = im.emitter.fresh();
  im.emitter.emit(y + " = scn." + op + " " + x.ssa +
                  (attrs.empty() ? "" : " {" + attrs + "}") + " : " +
                  featuresType(x.channels));
  im.define(n->output(), im.makeFeatures(y, x.channels, x.sites));
}

void importCat(GraphImporter &im, const Node *n) {
  Entry list = im.arg(n, "tensors");
  int64_t dim = im.getInt(n, "dim");
  if (list.kind != Entry::Kind::List || list.elements.empty() ||
      (dim != 1 && dim != -1))
    im.fail(n, "only the channel concatenation of features (JoinTable, "
               "dim 1) is supported");
  std::string operands, types, sites;
  int64_t channels = 0;
  for (size_t i = 0; i < list.elements.size(); ++i) {
    Entry x = im.lookup(n, list.elements[i]);
    if (x.kind != Entry::Kind::Features || (i && x.sites != sites))
      im.fail(n, "every concatenated tensor must be features on the same "
                 "sites");
    sites = x.sites;
    channels += x.channels;
    operands += (i ? ", " : "") + x.ssa;
    types += (i ? ", " : "") + featuresType(x.channels);
  }
  std::string y = im.emitter.fresh();
  im.emitter.emit(y + " = scn.concat " + operands + " : " + types);
  im.define(n->output(), im.makeFeatures(y, channels, sites));
}

void importAdd(GraphImporter &im, const Node *n) {
  Entry a = im.arg(n, "self"), b = im.arg(n, "other");
  if (a.kind != Entry::Kind::Features || b.kind != Entry::Kind::Features ||
      a.sites != b.sites || a.channels != b.channels)
    im.fail(n, "only the sum of two features tensors on the same sites with "
               "the same channels (AddTable) is supported");
  if (im.getFloat(n, "alpha") != 1.0)
    im.fail(n, "aten::add with alpha != 1 is not supported");
  std::string y = im.emitter.fresh();
  im.emitter.emit(y + " = scn.add " + a.ssa + ", " + b.ssa + " : " +
                  featuresType(a.channels));
  im.define(n->output(), im.makeFeatures(y, a.channels, a.sites));
}

void importElu(GraphImporter &im, const Node *n) {
  if (im.getFloat(n, "scale") != 1.0 || im.getFloat(n, "input_scale") != 1.0)
    im.fail(n, "ELU with scale or input_scale other than 1 is not supported");
  double alpha = im.getFloat(n, "alpha");
  emitUnary(im, n, "self", "elu",
            alpha == 1.0 ? "" : "alpha = " + f64Attr(alpha));
}

const std::unordered_map<std::string, Handler> &scnHandlers() {
  using namespace std::placeholders;
  static const std::unordered_map<std::string, Handler> handlers = {
      {"scn::input", importInput},
      {"scn::bl_input", importBLInput},
      {"scn::dense_to_sparse", importDenseToSparse},
      {"scn::output", std::bind(importOutputLike, _1, _2, "output")},
      {"scn::bl_output", std::bind(importOutputLike, _1, _2, "bl_output")},
      {"scn::sparse_to_dense",
       std::bind(importOutputLike, _1, _2, "sparse_to_dense")},
      {"scn::downsample", std::bind(importNewSites, _1, _2, false)},
      {"scn::full_sites", std::bind(importNewSites, _1, _2, true)},
      {"scn::submanifold_conv", importSubmanifoldConv},
      {"scn::conv", std::bind(importStridedConv, _1, _2, "conv")},
      {"scn::deconv", std::bind(importStridedConv, _1, _2, "deconv")},
      {"scn::full_conv", std::bind(importStridedConv, _1, _2, "full_conv")},
      {"scn::linear", importLinear},
      {"scn::max_pool", std::bind(importPool, _1, _2, "max_pool")},
      {"scn::avg_pool", std::bind(importPool, _1, _2, "avg_pool")},
      {"scn::unpool", std::bind(importPool, _1, _2, "unpool")},
      {"scn::batch_norm", importBatchNorm},
      {"scn::dropout", importDropout},
  };
  return handlers;
}

const std::unordered_map<std::string, Handler> &atenHandlers() {
  auto unary = [](const char *op) -> Handler {
    return [op](GraphImporter &im, const Node *n) {
      emitUnary(im, n, "self", op, "");
    };
  };
  static const std::unordered_map<std::string, Handler> handlers = {
      {"aten::relu", unary("relu")},
      {"aten::sigmoid", unary("sigmoid")},
      {"aten::tanh", unary("tanh")},
      {"aten::selu", unary("selu")},
      {"aten::elu", importElu},
      {"aten::leaky_relu",
       [](GraphImporter &im, const Node *n) {
         emitUnary(im, n, "self", "leaky_relu",
                   "alpha = " + f64Attr(im.getFloat(n, "negative_slope")));
       }},
      {"aten::cat", importCat},
      {"aten::add", importAdd},
  };
  return handlers;
}

bool dispatch(const std::unordered_map<std::string, Handler> &handlers,
              GraphImporter &im, const Node *n) {
  auto it = handlers.find(n->kind().toQualString());
  if (it == handlers.end())
    return false;
  it->second(im, n);
  return true;
}

} // namespace

bool scn::torch_import::importScnNode(GraphImporter &im, const Node *n) {
  std::string kind = n->kind().toQualString();
  if (kind.rfind("scn::", 0) == 0 && !scnHandlers().count(kind))
    im.fail(n, "unknown scn op (the importer's schemas and the model's "
               "scn package differ)");
  return dispatch(scnHandlers(), im, n);
}

bool scn::torch_import::importAtenNode(GraphImporter &im, const Node *n) {
  return dispatch(atenHandlers(), im, n);
}
