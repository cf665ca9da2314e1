//===- SCNOps.td - scn dialect operations -------------------*- tablegen -*-===//
//
// Semantics follow SparseConvNet exactly; the golden README
// (test/golden/README.md, section 5) is the reference for each rule that a
// verifier names.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_DIALECT_SCN_IR_SCNOPS_TD
#define SCN_DIALECT_SCN_IR_SCNOPS_TD

include "scn/Dialect/SCN/IR/SCNBase.td"
include "scn/Dialect/SCN/IR/SCNTypes.td"
include "scn/Dialect/SCN/IR/SCNAttrs.td"
include "scn/Dialect/SCN/IR/SCNInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Input and output
//===----------------------------------------------------------------------===//

def SCN_InputOp : SCN_Op<"input", [Pure]> {
  let summary = "SparseConvNet's InputLayer: coordinates and features to sites";
  let description = [{
    Builds the active set at the input scale from coordinates `[N, D + 1]`
    (batch index in the LAST column) and merges the features `[N, C]` of
    rows that name the same site, by SparseConvNet's `mode`:

    * 0: no duplicates expected (a duplicate is a run-time error);
    * 1: a duplicated site keeps its FIRST row; 2: keeps its LAST row;
    * 3: sums the rows; 4: averages them.

    The batch size is `max(batch_size, 1 + largest batch index)`. The result
    sites remember, for every input row, the site it went to, which
    `scn.output` uses.

    ```mlir
    %s, %x = scn.input %coords, %feats {mode = 4 : i64}
        : tensor<?x4xi64>, tensor<?x3xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x3xf32>
    ```
  }];
  let arguments = (ins SCN_Coordinates:$coords, SCN_Features:$features,
                       DefaultValuedAttr<I64Attr, "3">:$mode,
                       OptionalAttr<I64Attr>:$batch_size);
  let results = (outs SCN_Sites:$sites, SCN_Features:$output);
  let assemblyFormat = [{
    $coords `,` $features attr-dict `:` type($coords) `,` type($features)
    `->` qualified(type($sites)) `,` type($output)
  }];
  let hasVerifier = 1;
}

def SCN_BLInputOp : SCN_Op<"bl_input", [Pure]> {
  let summary = "SparseConvNet's BLInputLayer: batch x length input";
  let description = [{
    Like `scn.input`, but the coordinates are `[B, L, D]` and the features
    `[B, L, C]`: row `l` of sample `b` is a point of sample `b`. The same
    duplicate modes apply. `scn.bl_output` restores the `[B, L, C]` layout.

    ```mlir
    %s, %x = scn.bl_input %coords, %feats {mode = 3 : i64}
        : tensor<?x?x2xi64>, tensor<?x?x4xf32> -> !scn.sites<2, [64, 64]>, tensor<?x4xf32>
    ```
  }];
  let arguments = (ins SCN_Coordinates:$coords, SCN_DenseTensor:$features,
                       DefaultValuedAttr<I64Attr, "3">:$mode);
  let results = (outs SCN_Sites:$sites, SCN_Features:$output);
  let assemblyFormat = [{
    $coords `,` $features attr-dict `:` type($coords) `,` type($features)
    `->` qualified(type($sites)) `,` type($output)
  }];
  let hasVerifier = 1;
}

def SCN_OutputOp : SCN_Op<"output", [Pure, InferTypeOpAdaptor]> {
  let summary = "SparseConvNet's OutputLayer: one row per original input row";
  let description = [{
    Returns one row per row of the coordinates given to the `scn.input` that
    produced `sites`, in input order. In modes 0, 3 and 4 every input row gets
    its site's features; in modes 1 and 2 the rows that were dropped as
    duplicates get zeros.

    ```mlir
    %rows = scn.output %x on %s : tensor<?x8xf32>, !scn.sites<3, [32, 32, 32]>
    ```
  }];
  let arguments = (ins SCN_Features:$input, SCN_Sites:$sites);
  let results = (outs SCN_Features:$output);
  let assemblyFormat = "$input `on` $sites attr-dict `:` type($input) `,` qualified(type($sites))";
  let hasVerifier = 1;
}

def SCN_BLOutputOp : SCN_Op<"bl_output", [Pure, InferTypeOpAdaptor]> {
  let summary = "SparseConvNet's BLOutputLayer: back to [B, L, C]";
  let description = [{
    The inverse layout of `scn.bl_input`: a `[B, L, C]` tensor with every
    point's site features.

    ```mlir
    %y = scn.bl_output %x on %s : tensor<?x4xf32>, !scn.sites<2, [64, 64]>
    ```
  }];
  let arguments = (ins SCN_Features:$input, SCN_Sites:$sites);
  let results = (outs SCN_DenseTensor:$output);
  let assemblyFormat = "$input `on` $sites attr-dict `:` type($input) `,` qualified(type($sites))";
  let hasVerifier = 1;
}

def SCN_SparseToDenseOp : SCN_Op<"sparse_to_dense", [Pure, InferTypeOpAdaptor]> {
  let summary = "SparseConvNet's SparseToDense: [B, C, s0, ..., sD-1]";
  let description = [{
    Scatters the features into a dense tensor of shape `[B, C, s0, ...]`;
    coordinate column `i` becomes axis `2 + i`; inactive sites are zero.

    ```mlir
    %d = scn.sparse_to_dense %x on %s : tensor<?x32xf32>, !scn.sites<2, [10, 10]>
    // %d : tensor<?x32x10x10xf32>
    ```
  }];
  let arguments = (ins SCN_Features:$input, SCN_Sites:$sites);
  let results = (outs SCN_DenseTensor:$output);
  let assemblyFormat = "$input `on` $sites attr-dict `:` type($input) `,` qualified(type($sites))";
  let hasVerifier = 1;
}

def SCN_DenseToSparseOp : SCN_Op<"dense_to_sparse", [Pure, InferTypeOpAdaptor]> {
  let summary = "SparseConvNet's DenseToSparse: active where any channel is non-zero";
  let description = [{
    Takes a dense `[B, C, s0, ..., sD-1]` tensor with static spatial sizes and
    returns the sites where any channel is non-zero, with their features.

    ```mlir
    %s, %x = scn.dense_to_sparse %d : tensor<?x3x10x10xf32>
    ```
  }];
  let arguments = (ins SCN_DenseTensor:$input);
  let results = (outs SCN_Sites:$sites, SCN_Features:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def SCN_CoordinatesOp : SCN_Op<"coordinates", [Pure, InferTypeOpAdaptor]> {
  let summary = "the coordinates of a sites value: [N, D + 1], batch index last";
  let description = [{
    SparseConvNet's `get_spatial_locations()`: one row per active site, in
    the sites value's row order (the order of the rows of every feature
    tensor on these sites), batch index in the last column. This is how a
    compiled network returns a sparse output: its features and these
    coordinates.

    ```mlir
    %c = scn.coordinates %s : !scn.sites<3, [32, 32, 32]>
    // %c : tensor<?x4xi64>
    ```
  }];
  let arguments = (ins SCN_Sites:$sites);
  let results = (outs SCN_Coordinates:$coords);
  let assemblyFormat = "$sites attr-dict `:` qualified(type($sites))";
}

//===----------------------------------------------------------------------===//
// Geometry
//===----------------------------------------------------------------------===//

def SCN_DownsampleOp : SCN_Op<"downsample", [Pure, InferTypeOpAdaptor]> {
  let summary = "the output sites of a strided convolution or pooling";
  let description = [{
    Every output site `j` whose window `[j*t, j*t + s - 1]` (per axis, no
    padding) holds at least one active input site. The output spatial size is
    `(in - s) / t + 1`, and the division must be exact.

    ```mlir
    %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
        : !scn.sites<2, [32, 32]>
    // %t : !scn.sites<2, [16, 16]>
    ```
  }];
  let arguments = (ins SCN_Sites:$input, DenseI64ArrayAttr:$filter_size,
                       DenseI64ArrayAttr:$filter_stride);
  let results = (outs SCN_Sites:$output);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input))";
  let hasVerifier = 1;
}

def SCN_FullSitesOp : SCN_Op<"full_sites", [Pure, InferTypeOpAdaptor]> {
  let summary = "the output sites of a full (transposed) convolution";
  let description = [{
    The union of the windows `[j*t, j*t + s - 1]` over every active input
    site `j`: a new active set at size `(in - 1) * t + s`.

    ```mlir
    %f = scn.full_sites %s {filter_size = array<i64: 3, 3, 3>, filter_stride = array<i64: 2, 2, 2>}
        : !scn.sites<3, [12, 12, 12]>
    // %f : !scn.sites<3, [25, 25, 25]>
    ```
  }];
  let arguments = (ins SCN_Sites:$input, DenseI64ArrayAttr:$filter_size,
                       DenseI64ArrayAttr:$filter_stride);
  let results = (outs SCN_Sites:$output);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input))";
  let hasVerifier = 1;
}

def SCN_KernelMapOp : SCN_Op<"kernel_map", [Pure]> {
  let summary = "a kernel map (rulebook) between two site sets";
  let description = [{
    For each output site and each filter offset `k` (row-major in the filter
    box, last axis fastest, as SparseConvNet's weights), the input site that
    feeds it. `submanifold` maps a set onto itself with the window
    `[x - floor(s/2), x + s - 1 - floor(s/2)]`; `strided` maps the input of a
    `scn.downsample` onto its output; `full` maps a set onto its
    `scn.full_sites`. A deconvolution or unpooling reads the `strided` map of
    its downsampling step transposed.

    ```mlir
    %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>,
        filter_stride = array<i64: 1, 1>} : !scn.sites<2, [32, 32]>, !scn.sites<2, [32, 32]>
    ```
  }];
  let arguments = (ins SCN_KernelMapKindAttr:$kind, SCN_Sites:$input_sites,
                       SCN_Sites:$output_sites, DenseI64ArrayAttr:$filter_size,
                       DenseI64ArrayAttr:$filter_stride);
  let results = (outs SCN_KernelMap:$map);
  let assemblyFormat = [{
    $kind $input_sites `,` $output_sites attr-dict `:` qualified(type($input_sites)) `,`
    qualified(type($output_sites))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

// Shared description of the weight layout and the epilogue.
defvar ConvCommonDoc = [{

    The weight is `[V, G, nIn/G, nOut/G]` with `V` the filter volume and `G`
    the groups (group-major channels: input channel `g*nIn/G + p` meets
    output channel `g*nOut/G + q` through `W[k, g, p, q]`). The optional bias
    `[nOut]` is added once per output site. `map` is the explicit kernel map
    (added by `scn-materialize-kernel-maps`), `epilogue` the fused steps
    (added by `scn-fuse-epilogue`). An epilogue with a `tap` step gives the
    op a second result, `tapped`: the rows as they stood at the tap.
  }];

class SCN_ConvBase<string mnemonic, list<Trait> traits = []>
    : SCN_Op<mnemonic, !listconcat(traits, [Pure, AttrSizedOperandSegments,
        InferTypeOpAdaptor,
        DeclareOpInterfaceMethods<SCN_KernelMapUserOpInterface>,
        SCN_EpilogueOpInterface])> {
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def SCN_SubmanifoldConvOp : SCN_ConvBase<"submanifold_conv"> {
  let summary = "SparseConvNet's SubmanifoldConvolution: output sites = input sites";
  let description = [{
    `out[x] = bias + sum_d in[x + d - floor(s/2)] * W[k(d)]` over the active
    neighbours, `d` in `[0, s)^D`. With an even size the window is
    `[x - s/2, x + s/2 - 1]`.
  }] # ConvCommonDoc # [{

    ```mlir
    %y = scn.submanifold_conv %x, %w on %s bias(%b : tensor<8xf32>)
        {filter_size = array<i64: 3, 3>}
        : tensor<?x4xf32>, tensor<9x1x4x8xf32>, !scn.sites<2, [32, 32]>
    ```
  }];
  let arguments = (ins SCN_Features:$input, SCN_StaticFloatTensor:$weight,
                       SCN_Sites:$sites, Optional<SCN_StaticFloatTensor>:$bias,
                       Optional<SCN_KernelMap>:$kmap,
                       Variadic<AnyRankedTensor>:$epilogue_operands,
                       DenseI64ArrayAttr:$filter_size,
                       OptionalAttr<SCN_EpilogueAttr>:$epilogue);
  let results = (outs SCN_Features:$output, Optional<SCN_Features>:$tapped);
  let assemblyFormat = [{
    $input `,` $weight `on` $sites (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`map` `(` $kmap^ `)`)?
    (`epilogue` `(` $epilogue_operands^ `:` type($epilogue_operands) `)`)?
    attr-dict `:` type($input) `,` type($weight) `,` qualified(type($sites))
  }];
}

class SCN_StridedConvBase<string mnemonic, string doc, string example>
    : SCN_ConvBase<mnemonic> {
  let description = doc # ConvCommonDoc # example;
  let arguments = (ins SCN_Features:$input, SCN_StaticFloatTensor:$weight,
                       SCN_Sites:$in_sites, SCN_Sites:$out_sites,
                       Optional<SCN_StaticFloatTensor>:$bias,
                       Optional<SCN_KernelMap>:$kmap,
                       Variadic<AnyRankedTensor>:$epilogue_operands,
                       DenseI64ArrayAttr:$filter_size,
                       DenseI64ArrayAttr:$filter_stride,
                       OptionalAttr<SCN_EpilogueAttr>:$epilogue);
  let results = (outs SCN_Features:$output, Optional<SCN_Features>:$tapped);
  let assemblyFormat = [{
    $input `,` $weight `from` $in_sites `to` $out_sites
    (`bias` `(` $bias^ `:` type($bias) `)`)? (`map` `(` $kmap^ `)`)?
    (`epilogue` `(` $epilogue_operands^ `:` type($epilogue_operands) `)`)?
    attr-dict `:` type($input) `,` type($weight) `,` qualified(type($in_sites)) `->`
    qualified(type($out_sites))
  }];
}

def SCN_ConvOp : SCN_StridedConvBase<"conv", [{
    SparseConvNet's Convolution: `out[j] = bias + sum_d in[j*t + d] * W[k(d)]`
    on the sites of a `scn.downsample` of the input sites (no padding).
  }], [{

    ```mlir
    %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
        : !scn.sites<2, [32, 32]>
    %y = scn.conv %x, %w from %s to %t {filter_size = array<i64: 2, 2>,
        filter_stride = array<i64: 2, 2>}
        : tensor<?x4xf32>, tensor<4x1x4x8xf32>, !scn.sites<2, [32, 32]> -> !scn.sites<2, [16, 16]>
    ```
  }]> {
  let summary = "SparseConvNet's Convolution: strided, onto a downsampled set";
}

def SCN_DeconvOp : SCN_StridedConvBase<"deconv", [{
    SparseConvNet's Deconvolution: `out[i] = bias + sum in[j] * W[k(i - j*t)]`
    over the active `j` whose window holds `i`. The output sites are the
    input sites of the `scn.downsample` (same size and stride) that produced
    the input sites: SparseConvNet's rule that a deconvolution follows a
    convolution of the same scale, checked statically.
  }], [{

    ```mlir
    %y = scn.deconv %x, %w from %t to %s {filter_size = array<i64: 2, 2>,
        filter_stride = array<i64: 2, 2>}
        : tensor<?x8xf32>, tensor<4x1x8x4xf32>, !scn.sites<2, [16, 16]> -> !scn.sites<2, [32, 32]>
    ```
  }]> {
  let summary = "SparseConvNet's Deconvolution: back onto an existing set";
}

def SCN_FullConvOp : SCN_StridedConvBase<"full_conv", [{
    SparseConvNet's FullConvolution (TransposeConvolution): the arithmetic of
    `scn.deconv`, but onto the full support `scn.full_sites` of the input.
  }], [{

    ```mlir
    %f = scn.full_sites %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>}
        : !scn.sites<2, [12, 12]>
    %y = scn.full_conv %x, %w from %s to %f {filter_size = array<i64: 3, 3>,
        filter_stride = array<i64: 2, 2>}
        : tensor<?x3xf32>, tensor<9x1x3x3xf32>, !scn.sites<2, [12, 12]> -> !scn.sites<2, [25, 25]>
    ```
  }]> {
  let summary = "SparseConvNet's FullConvolution: onto the full transposed support";
}

def SCN_LinearOp : SCN_Op<"linear", [Pure, AttrSizedOperandSegments,
                                     InferTypeOpAdaptor, SCN_EpilogueOpInterface]> {
  let summary = "SparseConvNet's NetworkInNetwork: a 1x1 convolution, x * W + b";
  let description = [{
    The weight is `[nIn, nOut]` and the optional bias `[nOut]`. Rows keep
    their sites.

    ```mlir
    %y = scn.linear %x, %w bias(%b : tensor<3xf32>) : tensor<?x5xf32>, tensor<5x3xf32>
    ```
  }];
  let arguments = (ins SCN_Features:$input, SCN_StaticFloatTensor:$weight,
                       Optional<SCN_StaticFloatTensor>:$bias,
                       Variadic<AnyRankedTensor>:$epilogue_operands,
                       OptionalAttr<SCN_EpilogueAttr>:$epilogue);
  let results = (outs SCN_Features:$output, Optional<SCN_Features>:$tapped);
  let assemblyFormat = [{
    $input `,` $weight (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`epilogue` `(` $epilogue_operands^ `:` type($epilogue_operands) `)`)?
    attr-dict `:` type($input) `,` type($weight)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class SCN_PoolBase<string mnemonic, string doc>
    : SCN_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                        DeclareOpInterfaceMethods<SCN_KernelMapUserOpInterface>]> {
  let description = doc # [{

    `features_to_drop` (SparseConvNet's `nFeaturesToDrop`) drops the first
    channels. `map` is the explicit kernel map.
  }];
  let arguments = (ins SCN_Features:$input, SCN_Sites:$in_sites,
                       SCN_Sites:$out_sites, Optional<SCN_KernelMap>:$kmap,
                       DenseI64ArrayAttr:$filter_size,
                       DenseI64ArrayAttr:$filter_stride,
                       DefaultValuedAttr<I64Attr, "0">:$features_to_drop);
  let results = (outs SCN_Features:$output);
  let assemblyFormat = [{
    $input `from` $in_sites `to` $out_sites (`map` `(` $kmap^ `)`)? attr-dict
    `:` type($input) `,` qualified(type($in_sites)) `->` qualified(type($out_sites))
  }];
  let hasVerifier = 1;
}

def SCN_MaxPoolOp : SCN_PoolBase<"max_pool", [{
    SparseConvNet's MaxPooling onto the sites of a `scn.downsample`. The
    maximum starts from 0: `out = max(0, max over active inputs)`, so an
    all-negative window gives 0.

    ```mlir
    %y = scn.max_pool %x from %s to %t {filter_size = array<i64: 3, 3>,
        filter_stride = array<i64: 2, 2>}
        : tensor<?x8xf32>, !scn.sites<2, [87, 87]> -> !scn.sites<2, [43, 43]>
    ```
  }]> {
  let summary = "SparseConvNet's MaxPooling (the maximum starts from 0)";
}

def SCN_AvgPoolOp : SCN_PoolBase<"avg_pool", [{
    SparseConvNet's AveragePooling onto the sites of a `scn.downsample`: the
    sum over active inputs divided by the FULL window volume `prod(s)`.

    ```mlir
    %y = scn.avg_pool %x from %s to %t {filter_size = array<i64: 3, 3>,
        filter_stride = array<i64: 2, 2>}
        : tensor<?x8xf32>, !scn.sites<2, [31, 31]> -> !scn.sites<2, [15, 15]>
    ```
  }]> {
  let summary = "SparseConvNet's AveragePooling (divides by the full window)";
}

def SCN_UnpoolOp : SCN_PoolBase<"unpool", [{
    SparseConvNet's UnPooling: each output site gets the sum of the features
    of every pooled site whose window contains it. Like `scn.deconv`, the
    output sites are the input sites of the matching `scn.downsample`.

    ```mlir
    %y = scn.unpool %x from %t to %s {filter_size = array<i64: 3, 3>,
        filter_stride = array<i64: 2, 2>}
        : tensor<?x8xf32>, !scn.sites<2, [15, 15]> -> !scn.sites<2, [31, 31]>
    ```
  }]> {
  let summary = "SparseConvNet's UnPooling: sums all parents";
}

//===----------------------------------------------------------------------===//
// Batch norm and pointwise ops
//===----------------------------------------------------------------------===//

def SCN_BatchNormOp : SCN_Op<"batch_norm", [Pure, AttrSizedOperandSegments,
                                            InferTypeOpAdaptor]> {
  let summary = "SparseConvNet's BatchNormalization with a fused leaky ReLU";
  let description = [{
    Eval mode: `y = (x - mean) / sqrt(var + eps) * weight + bias`, then
    `y > 0 ? y : leakiness * y` (leakiness 1: no activation, 0: ReLU).
    `weight` and `bias` are absent when `affine` is false.

    With `training`, the statistics are taken over all active sites of the
    batch (biased variance for normalising) and the op also returns the
    updated running mean and variance:
    `r = momentum * r + (1 - momentum) * stat`, with the unbiased variance.
    This is SparseConvNet's momentum convention, the opposite of PyTorch's.

    ```mlir
    %y = scn.batch_norm %x, %mean, %var weight(%g : tensor<8xf32>) bias(%b : tensor<8xf32>)
        {eps = 1.0e-4 : f64, leakiness = 0.0 : f64} : tensor<?x8xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins SCN_Features:$input, SCN_StaticFloatTensor:$running_mean,
                       SCN_StaticFloatTensor:$running_var,
                       Optional<SCN_StaticFloatTensor>:$weight,
                       Optional<SCN_StaticFloatTensor>:$bias,
                       DefaultValuedAttr<F64Attr, "1.0e-4">:$eps,
                       DefaultValuedAttr<F64Attr, "0.99">:$momentum,
                       DefaultValuedAttr<F64Attr, "1.0">:$leakiness,
                       UnitAttr:$training);
  let results = (outs SCN_Features:$output,
                      Variadic<SCN_StaticFloatTensor>:$updated_stats);
  let assemblyFormat = [{
    $input `,` $running_mean `,` $running_var
    (`weight` `(` $weight^ `:` type($weight) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    attr-dict `:` type($input) `,` type($running_mean) `,` type($running_var)
  }];
  let hasVerifier = 1;
}

class SCN_UnaryOp<string mnemonic, string summaryText, list<Trait> traits = []>
    : SCN_Op<mnemonic, !listconcat(traits, [SameOperandsAndResultType])> {
  let summary = summaryText;
  let arguments = (ins SCN_Features:$input);
  let results = (outs SCN_Features:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def SCN_ReLUOp : SCN_UnaryOp<"relu", "ReLU: max(x, 0)", [Pure]> {
  let description = [{
    ```mlir
    %y = scn.relu %x : tensor<?x8xf32>
    ```
  }];
  let hasFolder = 1;
}

def SCN_LeakyReLUOp : SCN_UnaryOp<"leaky_relu", "LeakyReLU: x > 0 ? x : alpha * x", [Pure]> {
  let description = [{
    SparseConvNet's LeakyReLU, default slope 1/3.

    ```mlir
    %y = scn.leaky_relu %x {alpha = 2.0e-01 : f64} : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins SCN_Features:$input,
                       DefaultValuedAttr<F64Attr, "0.3333333333333333">:$alpha);
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def SCN_SigmoidOp : SCN_UnaryOp<"sigmoid", "logistic sigmoid", [Pure]> {
  let description = [{
    ```mlir
    %y = scn.sigmoid %x : tensor<?x8xf32>
    ```
  }];
}

def SCN_TanhOp : SCN_UnaryOp<"tanh", "hyperbolic tangent", [Pure]> {
  let description = [{
    ```mlir
    %y = scn.tanh %x : tensor<?x8xf32>
    ```
  }];
}

def SCN_ELUOp : SCN_UnaryOp<"elu", "ELU: x > 0 ? x : alpha * (exp(x) - 1)", [Pure]> {
  let description = [{
    As PyTorch's ELU, alpha 1 by default.

    ```mlir
    %y = scn.elu %x : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins SCN_Features:$input, DefaultValuedAttr<F64Attr, "1.0">:$alpha);
}

def SCN_SELUOp : SCN_UnaryOp<"selu", "SELU with PyTorch's constants", [Pure]> {
  let description = [{
    `scale * (x > 0 ? x : alpha * (exp(x) - 1))` with
    `alpha = 1.6732632423543772`, `scale = 1.0507009873554805`.

    ```mlir
    %y = scn.selu %x : tensor<?x8xf32>
    ```
  }];
}

def SCN_DropoutOp : SCN_UnaryOp<"dropout", "SparseConvNet's Dropout (not inverted)",
                                [DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let description = [{
    In inference it multiplies by `1 - p` (SparseConvNet does not rescale in
    training). With `training` it zeroes each entry with probability `p`,
    which reads a random state: only then does the op have a side effect.

    ```mlir
    %y = scn.dropout %x {p = 2.5e-01 : f64} : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins SCN_Features:$input, DefaultValuedAttr<F64Attr, "0.5">:$p,
                       UnitAttr:$training);
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Tables
//===----------------------------------------------------------------------===//

def SCN_ConcatOp : SCN_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "SparseConvNet's JoinTable: channels concatenated in order";
  let description = [{
    All operands are features on the same sites value. `fused_operands`
    (set by `scn-fuse-epilogue`) lists the operands whose producing
    convolution or linear op writes its rows straight into its channel slice
    of the result, so they are never written separately and copied. It is
    a request: the lowering honours it for operands that are still the only
    use of a convolution or linear op, and copies the others.

    ```mlir
    %y = scn.concat %a, %b {fused_operands = array<i64: 1>}
        : tensor<?x5xf32>, tensor<?x3xf32>
    // %y : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Variadic<SCN_Features>:$inputs,
                       OptionalAttr<DenseI64ArrayAttr>:$fused_operands);
  let results = (outs SCN_Features:$output);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def SCN_AddOp : SCN_Op<"add", [Pure, SameOperandsAndResultType]> {
  let summary = "SparseConvNet's AddTable: elementwise sum";
  let description = [{
    All operands are features on the same sites value, with the same
    channels.

    ```mlir
    %y = scn.add %a, %b : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Variadic<SCN_Features>:$inputs);
  let results = (outs SCN_Features:$output);
  let assemblyFormat = "$inputs attr-dict `:` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // SCN_DIALECT_SCN_IR_SCNOPS_TD
