//===- Schemas.cpp - The scn:: TorchScript op schemas ---------------------===//
//
// Keep this list identical to SCHEMAS in frontends/python/scn/ops.py; the
// test `test_schemas_match` compares them through `--print-schemas`.
//
//===----------------------------------------------------------------------===//

#include "scn/Frontends/Torch/Schemas.h"

#include <torch/library.h>

using namespace scn::torch_import;

const std::vector<std::string> &scn::torch_import::getSchemas() {
  static const std::vector<std::string> schemas = {
      "input(Tensor coords, Tensor features, int[] spatial_size, int mode, "
      "int batch_size, int channels) -> (Tensor sites, Tensor output)",
      "bl_input(Tensor coords, Tensor features, int[] spatial_size, int mode, "
      "int channels) -> (Tensor sites, Tensor output)",
      "output(Tensor input, Tensor sites) -> Tensor",
      "bl_output(Tensor input, Tensor sites) -> Tensor",
      "sparse_to_dense(Tensor input, Tensor sites) -> Tensor",
      "dense_to_sparse(Tensor input, int[] spatial_size, int channels) -> "
      "(Tensor sites, Tensor output)",
      "downsample(Tensor sites, int[] filter_size, int[] filter_stride) -> "
      "Tensor",
      "full_sites(Tensor sites, int[] filter_size, int[] filter_stride) -> "
      "Tensor",
      "submanifold_conv(Tensor input, Tensor weight, Tensor? bias, Tensor "
      "sites, int[] filter_size) -> Tensor",
      "conv(Tensor input, Tensor weight, Tensor? bias, Tensor in_sites, Tensor "
      "out_sites, int[] filter_size, int[] filter_stride) -> Tensor",
      "deconv(Tensor input, Tensor weight, Tensor? bias, Tensor in_sites, "
      "Tensor out_sites, int[] filter_size, int[] filter_stride) -> Tensor",
      "full_conv(Tensor input, Tensor weight, Tensor? bias, Tensor in_sites, "
      "Tensor out_sites, int[] filter_size, int[] filter_stride) -> Tensor",
      "linear(Tensor input, Tensor weight, Tensor? bias) -> Tensor",
      "max_pool(Tensor input, Tensor in_sites, Tensor out_sites, int[] "
      "filter_size, int[] filter_stride, int features_to_drop) -> Tensor",
      "avg_pool(Tensor input, Tensor in_sites, Tensor out_sites, int[] "
      "filter_size, int[] filter_stride, int features_to_drop) -> Tensor",
      "unpool(Tensor input, Tensor in_sites, Tensor out_sites, int[] "
      "filter_size, int[] filter_stride, int features_to_drop) -> Tensor",
      "batch_norm(Tensor input, Tensor(a!) running_mean, Tensor(b!) "
      "running_var, Tensor? weight, Tensor? bias, float eps, float momentum, "
      "float leakiness, bool training) -> Tensor",
      "dropout(Tensor input, float p, bool training, bool batchwise) -> "
      "Tensor",
  };
  return schemas;
}

// Schemas only: the importer never runs the ops, it only needs libtorch to
// accept the `ops.scn.*` calls in the model's code.
TORCH_LIBRARY(scn, m) {
  for (const std::string &schema : getSchemas())
    m.def(schema.c_str());
}
