// One case per verifier rule; each names the SparseConvNet rule it enforces.
// RUN: scn-opt %s -split-input-file -verify-diagnostics

// SCN rule: dimensions 1 to 10.
// expected-error @+1 {{sites dimension must be between 1 and 10, got 11}}
func.func @dim_11(%s: !scn.sites<11, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]>) { return }

// -----

// A spatial size per axis.
// expected-error @+1 {{sites of dimension 2 need 2 spatial sizes, got 3}}
func.func @size_count(%s: !scn.sites<2, [4, 4, 4]>) { return }

// -----

// Spatial sizes are >= 1.
// expected-error @+1 {{spatial size of axis 1 must be in [1, 2147483647], got 0}}
func.func @size_zero(%s: !scn.sites<2, [4, 0]>) { return }

// -----

// SCN rule: InputLayer modes 0-4.
func.func @input_mode(%c: tensor<?x3xi64>, %f: tensor<?x1xf32>) {
  // expected-error @+1 {{mode must be 0 (distinct sites), 1 (keep first), 2 (keep last), 3 (sum) or 4 (average), got 5}}
  %s, %x = scn.input %c, %f {mode = 5 : i64} : tensor<?x3xi64>, tensor<?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  return
}

// -----

// SCN rule: coordinates are [N, D + 1], batch index last.
func.func @input_columns(%c: tensor<?x2xi64>, %f: tensor<?x1xf32>) {
  // expected-error @+1 {{coordinates of 2-d sites need 3 columns (batch index last), got 2}}
  %s, %x = scn.input %c, %f : tensor<?x2xi64>, tensor<?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  return
}

// -----

// One feature row per coordinate row.
func.func @input_rows(%c: tensor<5x3xi64>, %f: tensor<6x1xf32>) {
  // expected-error @+1 {{coordinates have 5 rows but features have 6}}
  %s, %x = scn.input %c, %f : tensor<5x3xi64>, tensor<6x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  return
}

// -----

// Merging keeps the channels.
func.func @input_channels(%c: tensor<?x3xi64>, %f: tensor<?x1xf32>) {
  // expected-error @+1 {{must keep the input channels and element type}}
  %s, %x = scn.input %c, %f : tensor<?x3xi64>, tensor<?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x2xf32>
  return
}

// -----

// SCN rule: BLInputLayer coordinates are [B, L, D].
func.func @bl_input_rank(%c: tensor<?x3xi64>, %f: tensor<?x?x1xf32>) {
  // expected-error @+1 {{coordinates must be [B, L, D]}}
  %s, %x = scn.bl_input %c, %f : tensor<?x3xi64>, tensor<?x?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  return
}

// -----

// SCN rule: OutputLayer maps back to the InputLayer's rows.
func.func @output_sites(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>) {
  // expected-error @+1 {{sites must be produced by scn.input}}
  %y = scn.output %x on %s : tensor<?x1xf32>, !scn.sites<2, [8, 8]>
  return
}

// -----

// SCN rule: BLOutputLayer restores a BLInputLayer's layout.
func.func @bl_output_sites(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>) {
  // expected-error @+1 {{sites must be produced by scn.bl_input}}
  %y = scn.bl_output %x on %s : tensor<?x1xf32>, !scn.sites<2, [8, 8]>
  return
}

// -----

// SCN rule: features live on the active set of their scale.
func.func @features_on_other_sites(%c: tensor<?x3xi64>, %f: tensor<?x1xf32>,
                                   %t: !scn.sites<2, [8, 8]>, %w: tensor<9x1x1x2xf32>) {
  %s, %x = scn.input %c, %f : tensor<?x3xi64>, tensor<?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  // expected-error @+1 {{input features are on a different sites value than the op's input sites}}
  %y = scn.submanifold_conv %x, %w on %t {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x1x1x2xf32>, !scn.sites<2, [8, 8]>
  return
}

// -----

// The same through a linear op's tapped rows, which stay on its input's sites.
func.func @tapped_features_on_other_sites(%c: tensor<?x3xi64>, %f: tensor<?x1xf32>,
                                          %t: !scn.sites<2, [8, 8]>, %wl: tensor<1x1xf32>,
                                          %w: tensor<9x1x1x2xf32>) {
  %s, %x = scn.input %c, %f : tensor<?x3xi64>, tensor<?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  %o, %r = scn.linear %x, %wl {epilogue = [#scn.step<tap>, #scn.step<relu>]} : tensor<?x1xf32>, tensor<1x1xf32>
  // expected-error @+1 {{input features are on a different sites value than the op's input sites}}
  %y = scn.submanifold_conv %r, %w on %t {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x1x1x2xf32>, !scn.sites<2, [8, 8]>
  return
}

// -----

// SCN rule: filter size per axis.
func.func @filter_count(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<27x1x1x2xf32>) {
  // expected-error @+1 {{filter_size needs 2 entries (one per spatial axis), got 3}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x1xf32>, tensor<27x1x1x2xf32>, !scn.sites<2, [8, 8]>
  return
}

// -----

// Filter sizes are >= 1.
func.func @filter_zero(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<0x1x1x2xf32>) {
  // expected-error @+1 {{filter_size[1] must be >= 1, got 0}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 0>} : tensor<?x1xf32>, tensor<0x1x1x2xf32>, !scn.sites<2, [8, 8]>
  return
}

// -----

// A submanifold filter fits inside the grid.
func.func @filter_too_big(%s: !scn.sites<2, [8, 2]>, %x: tensor<?x1xf32>, %w: tensor<9x1x1x2xf32>) {
  // expected-error @+1 {{filter_size[1] = 3 is larger than the spatial size 2}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x1x1x2xf32>, !scn.sites<2, [8, 2]>
  return
}

// -----

// Strides are >= 1.
func.func @stride_zero(%s: !scn.sites<2, [8, 8]>) {
  // expected-error @+1 {{filter_stride[0] must be >= 1, got 0}}
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 0, 2>} : !scn.sites<2, [8, 8]>
  return
}

// -----

// SCN rule: convolution weights are [V, G, nIn/G, nOut/G].
func.func @weight_rank(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<9x2xf32>) {
  // expected-error @+1 {{weight must be [filter_volume, groups, nIn/groups, nOut/groups], got 'tensor<9x2xf32>'}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x2xf32>, !scn.sites<2, [8, 8]>
  return
}

// -----

// SCN rule: the weight's first dimension is the filter volume.
func.func @weight_volume(%s: !scn.sites<3, [8, 8, 8]>, %x: tensor<?x1xf32>, %w: tensor<27x1x1x2xf32>) {
  // expected-error @+1 {{weight has 27 filter offsets but filter_size [3, 1, 3] has volume 9}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 1, 3>} : tensor<?x1xf32>, tensor<27x1x1x2xf32>, !scn.sites<3, [8, 8, 8]>
  return
}

// -----

// SCN rule: channel counts along the chain (groups x nIn/groups = input channels).
func.func @channels(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x4xf32>, %w: tensor<9x2x1x2xf32>) {
  // expected-error @+1 {{input has 4 channels but the weight expects 2 (groups 2 x 1)}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>} : tensor<?x4xf32>, tensor<9x2x1x2xf32>, !scn.sites<2, [8, 8]>
  return
}

// -----

// SCN rule: one bias entry per output channel.
func.func @bias_shape(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<9x1x1x2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{bias must have shape [2], got 'tensor<3xf32>'}}
  %y = scn.submanifold_conv %x, %w on %s bias(%b : tensor<3xf32>) {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x1x1x2xf32>, !scn.sites<2, [8, 8]>
  return
}

// -----

// Weights and features share the element type.
func.func @weight_type(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<9x1x1x2xf16>) {
  // expected-error @+1 {{weight element type 'f16' differs from the features' 'f32'}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x1x1x2xf16>, !scn.sites<2, [8, 8]>
  return
}

// -----

// SCN rule: (in - size) % stride == 0 for strided ops.
func.func @downsample_divisible(%s: !scn.sites<2, [32, 32]>) {
  // expected-error @+1 {{spatial size 32 on axis 0 does not fit filter 3 and stride 2: (in - size) % stride must be 0, as SparseConvNet requires}}
  %t = scn.downsample %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [32, 32]>
  return
}

// -----

// SCN rule: a strided filter fits inside the grid.
func.func @downsample_too_big(%s: !scn.sites<1, [4]>) {
  // expected-error @+1 {{filter size 5 on axis 0 is larger than the spatial size 4}}
  %t = scn.downsample %s {filter_size = array<i64: 5>, filter_stride = array<i64: 1>} : !scn.sites<1, [4]>
  return
}

// -----

// SCN rule: a strided convolution reaches (in - size) / stride + 1.
func.func @conv_out_size(%s: !scn.sites<2, [32, 32]>, %t: !scn.sites<2, [15, 16]>, %x: tensor<?x1xf32>, %w: tensor<4x1x1x2xf32>) {
  // expected-error @+1 {{output size must be (in - size) / stride + 1 = [16, 16], got '!scn.sites<2, [15, 16]>'}}
  %y = scn.conv %x, %w from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x2xf32>, !scn.sites<2, [32, 32]> -> !scn.sites<2, [15, 16]>
  return
}

// -----

// SCN rule: a strided convolution outputs the downsampled set of its input.
func.func @conv_out_sites(%s: !scn.sites<2, [32, 32]>, %u: !scn.sites<2, [32, 32]>, %x: tensor<?x1xf32>, %w: tensor<4x1x1x2xf32>) {
  %t = scn.downsample %u {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [32, 32]>
  // expected-error @+1 {{output sites must be an scn.downsample of the input sites}}
  %y = scn.conv %x, %w from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x2xf32>, !scn.sites<2, [32, 32]> -> !scn.sites<2, [16, 16]>
  return
}

// -----

// SCN rule: a deconvolution reaches (in - 1) * stride + size.
func.func @deconv_out_size(%s: !scn.sites<2, [31, 31]>, %x: tensor<?x1xf32>, %w: tensor<4x1x1x2xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [31, 31]>
  // expected-error @+1 {{output size must be (in - 1) * stride + size = [30, 30], got '!scn.sites<2, [31, 31]>'}}
  %y = scn.deconv %x, %w from %t to %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x2xf32>, !scn.sites<2, [15, 15]> -> !scn.sites<2, [31, 31]>
  return
}

// -----

// SCN rule: a deconvolution undoes a convolution of the same scale.
func.func @deconv_unmatched(%s: !scn.sites<2, [32, 32]>, %t: !scn.sites<2, [16, 16]>, %x: tensor<?x1xf32>, %w: tensor<4x1x1x2xf32>) {
  // expected-error @+1 {{input sites must be the scn.downsample of the output sites with the same filter_size and filter_stride}}
  %y = scn.deconv %x, %w from %t to %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x2xf32>, !scn.sites<2, [16, 16]> -> !scn.sites<2, [32, 32]>
  return
}

// -----

// SCN rule: a full convolution reaches (in - 1) * stride + size.
func.func @full_conv_size(%s: !scn.sites<1, [12]>, %f: !scn.sites<1, [24]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>) {
  // expected-error @+1 {{output size must be (in - 1) * stride + size = [25], got '!scn.sites<1, [24]>'}}
  %y = scn.full_conv %x, %w from %s to %f {filter_size = array<i64: 3>, filter_stride = array<i64: 2>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [12]> -> !scn.sites<1, [24]>
  return
}

// -----

// SCN rule: a full convolution outputs the full support of its input.
func.func @full_conv_sites(%s: !scn.sites<1, [12]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>) {
  %f = scn.full_sites %s {filter_size = array<i64: 3>, filter_stride = array<i64: 2>} : !scn.sites<1, [12]>
  %g = scn.full_sites %f {filter_size = array<i64: 1>, filter_stride = array<i64: 1>} : !scn.sites<1, [25]>
  // expected-error @+1 {{output sites must be the scn.full_sites of the input sites with the same filter_size and filter_stride}}
  %y = scn.full_conv %x, %w from %s to %g {filter_size = array<i64: 3>, filter_stride = array<i64: 2>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [12]> -> !scn.sites<1, [25]>
  return
}

// -----

// SCN rule: nFeaturesToDrop leaves at least one channel.
func.func @pool_drop(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x2xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>
  // expected-error @+1 {{features_to_drop must be in [0, 2), got 2}}
  %y = scn.max_pool %x from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>, features_to_drop = 2 : i64} : tensor<?x2xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [4, 4]>
  return
}

// -----

// SCN rule: pooling follows the downsampling size rule.
func.func @pool_size(%s: !scn.sites<2, [8, 8]>, %t: !scn.sites<2, [3, 3]>, %x: tensor<?x2xf32>) {
  // expected-error @+1 {{output size must be (in - size) / stride + 1 = [4, 4], got '!scn.sites<2, [3, 3]>'}}
  %y = scn.avg_pool %x from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x2xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [3, 3]>
  return
}

// -----

// SCN rule: an unpooling undoes a pooling of the same scale.
func.func @unpool_unmatched(%s: !scn.sites<2, [8, 8]>, %u: !scn.sites<2, [8, 8]>, %x: tensor<?x2xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>
  // expected-error @+1 {{input sites must be the scn.downsample of the output sites with the same filter_size and filter_stride}}
  %y = scn.unpool %x from %t to %u {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x2xf32>, !scn.sites<2, [4, 4]> -> !scn.sites<2, [8, 8]>
  return
}

// -----

// SCN rule: NetworkInNetwork weight is [nIn, nOut].
func.func @linear_channels(%x: tensor<?x3xf32>, %w: tensor<4x2xf32>) {
  // expected-error @+1 {{input has 3 channels but the weight expects 4}}
  %y = scn.linear %x, %w : tensor<?x3xf32>, tensor<4x2xf32>
  return
}

// -----

// SCN rule: NetworkInNetwork weight is rank 2.
func.func @linear_rank(%x: tensor<?x3xf32>, %w: tensor<1x3x2xf32>) {
  // expected-error @+1 {{weight must be [nIn, nOut], got 'tensor<1x3x2xf32>'}}
  %y = scn.linear %x, %w : tensor<?x3xf32>, tensor<1x3x2xf32>
  return
}

// -----

// SCN rule: batch-norm parameters have shape [nPlanes].
func.func @bn_shape(%x: tensor<?x4xf32>, %m: tensor<3xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{running_mean must have shape [4], got 'tensor<3xf32>'}}
  %y = scn.batch_norm %x, %m, %v : tensor<?x4xf32>, tensor<3xf32>, tensor<4xf32>
  return
}

// -----

// The affine weight too.
func.func @bn_weight_shape(%x: tensor<?x4xf32>, %m: tensor<4xf32>, %g: tensor<5xf32>) {
  // expected-error @+1 {{weight must have shape [4], got 'tensor<5xf32>'}}
  %y = scn.batch_norm %x, %m, %m weight(%g : tensor<5xf32>) : tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

// eps is positive (it sits under a square root with the variance).
func.func @bn_eps(%x: tensor<?x4xf32>, %m: tensor<4xf32>) {
  // expected-error @+1 {{eps must be > 0, got 0}}
  %y = scn.batch_norm %x, %m, %m {eps = 0.0 : f64} : tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

// momentum is a convex weight.
func.func @bn_momentum(%x: tensor<?x4xf32>, %m: tensor<4xf32>) {
  // expected-error @+1 {{momentum must be in [0, 1], got 1.5}}
  %y = scn.batch_norm %x, %m, %m {momentum = 1.5 : f64} : tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

// Dropout probability.
func.func @dropout_p(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{p must be in [0, 1], got -5.000000e-01}}
  %y = scn.dropout %x {p = -0.5 : f64} : tensor<?x4xf32>
  return
}

// -----

// SCN rule: JoinTable combines features of the same active set.
func.func @concat_sites(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<4x1x1x1xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>
  %a = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x1xf32>, !scn.sites<2, [8, 8]>
  %b = scn.conv %a, %w from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x1xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [4, 4]>
  // expected-error @+1 {{operand 1 is on a different sites value than the earlier operands}}
  %c = scn.concat %a, %b : tensor<?x1xf32>, tensor<?x1xf32>
  return
}

// -----

// SCN rule: AddTable sums features of the same active set.
func.func @add_sites(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<4x1x1x1xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>
  %a = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x1xf32>, !scn.sites<2, [8, 8]>
  %b = scn.conv %a, %w from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x1xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [4, 4]>
  // expected-error @+1 {{operand 1 is on a different sites value than the earlier operands}}
  %c = scn.add %a, %b : tensor<?x1xf32>
  return
}

// -----

// SCN rule: a submanifold map maps a set onto itself.
func.func @kmap_submanifold(%s: !scn.sites<2, [8, 8]>, %t: !scn.sites<2, [8, 8]>) {
  // expected-error @+1 {{a submanifold map must map a sites value onto itself}}
  %k = scn.kernel_map submanifold %s, %t {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [8, 8]>, !scn.sites<2, [8, 8]>
  return
}

// -----

// SCN rule: a strided map follows the downsampling size rule.
func.func @kmap_strided(%s: !scn.sites<2, [8, 8]>, %t: !scn.sites<2, [3, 4]>) {
  // expected-error @+1 {{a strided map from '!scn.sites<2, [8, 8]>' must reach size [4, 4], got '!scn.sites<2, [3, 4]>'}}
  %k = scn.kernel_map strided %s, %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>, !scn.sites<2, [3, 4]>
  return
}

// -----

// SCN rule: a full map reaches (in - 1) * stride + size.
func.func @kmap_full(%s: !scn.sites<1, [8]>, %t: !scn.sites<1, [16]>) {
  // expected-error @+1 {{a full map from '!scn.sites<1, [8]>' must reach size [17], got '!scn.sites<1, [16]>'}}
  %k = scn.kernel_map full %s, %t {filter_size = array<i64: 3>, filter_stride = array<i64: 2>} : !scn.sites<1, [8]>, !scn.sites<1, [16]>
  return
}

// -----

// An explicit kernel map must be the one the op reads.
func.func @kmap_operand(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<9x1x1x1xf32>) {
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 5, 5>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [8, 8]>, !scn.sites<2, [8, 8]>
  // expected-error @+1 {{kernel map operand does not match the op's sites, kind, filter and stride}}
  %y = scn.submanifold_conv %x, %w on %s map(%k) {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x1x1x1xf32>, !scn.sites<2, [8, 8]>
  return
}

// -----

// Each epilogue step has its operands.
func.func @epilogue_count(%s: !scn.sites<1, [8]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>, %a: tensor<2xf32>) {
  // expected-error @+1 {{epilogue step #scn.step<affine> needs 2 operand(s) but only 1 remain}}
  %y = scn.submanifold_conv %x, %w on %s epilogue(%a : tensor<2xf32>) {filter_size = array<i64: 3>, epilogue = [#scn.step<affine>]} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [8]>
  return
}

// -----

// No unused epilogue operands.
func.func @epilogue_extra(%s: !scn.sites<1, [8]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>, %a: tensor<2xf32>) {
  // expected-error @+1 {{has 1 epilogue operands but its steps use 0}}
  %y = scn.submanifold_conv %x, %w on %s epilogue(%a : tensor<2xf32>) {filter_size = array<i64: 3>, epilogue = [#scn.step<relu>]} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [8]>
  return
}

// -----

// One tap an op: it has one tapped result.
func.func @epilogue_two_taps(%s: !scn.sites<1, [8]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>) {
  // expected-error @+1 {{epilogue has more than one tap step: an op has one tapped result}}
  %y:2 = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>, epilogue = [#scn.step<tap>, #scn.step<relu>, #scn.step<tap>]} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [8]>
  return
}

// -----

// A tap step gives the op its second result, and only a tap does.
func.func @tap_result_count(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>) {
  // expected-error @+1 {{has 1 result(s); with a tap step it has 2 (the second: the rows at the tap)}}
  %y = "scn.linear"(%x, %w) <{epilogue = [#scn.step<tap>], operandSegmentSizes = array<i32: 1, 1, 0, 0>}> : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @untapped_second_result(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>) {
  // expected-error @+1 {{has 2 result(s); without a tap step it has 1}}
  %y:2 = "scn.linear"(%x, %w) <{operandSegmentSizes = array<i32: 1, 1, 0, 0>}> : (tensor<?x4xf32>, tensor<4x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>)
  return
}

// -----

// A residual has the result's type.
func.func @epilogue_residual(%s: !scn.sites<1, [8]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>, %r: tensor<?x1xf32>) {
  // expected-error @+1 {{epilogue residual must have the result type 'tensor<?x2xf32>', got 'tensor<?x1xf32>'}}
  %y = scn.submanifold_conv %x, %w on %s epilogue(%r : tensor<?x1xf32>) {filter_size = array<i64: 3>, epilogue = [#scn.step<residual>]} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [8]>
  return
}

// -----

// An affine step scales each output channel.
func.func @epilogue_affine(%s: !scn.sites<1, [8]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>, %a: tensor<3xf32>) {
  // expected-error @+1 {{epilogue scale must have shape [2], got 'tensor<3xf32>'}}
  %y = scn.submanifold_conv %x, %w on %s epilogue(%a, %a : tensor<3xf32>, tensor<3xf32>) {filter_size = array<i64: 3>, epilogue = [#scn.step<affine>]} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [8]>
  return
}

// -----

// SCN rule: SparseToDense gives [B, C, s0, ..., sD-1].
func.func @sparse_to_dense_shape(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x4xf32>) {
  // expected-error @+2 {{'scn.sparse_to_dense' op inferred type(s) 'tensor<?x4x8x8xf32>' are incompatible with return type(s) of operation 'tensor<?x4x8x9xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %d = "scn.sparse_to_dense"(%x, %s) : (tensor<?x4xf32>, !scn.sites<2, [8, 8]>) -> tensor<?x4x8x9xf32>
  return
}

// -----

// SCN rule: DenseToSparse needs 1 to 10 static spatial axes.
func.func @dense_to_sparse_rank(%d: tensor<?x4xf32>) {
  // expected-error @+1 {{dense input must be [B, C, s0, ...] with 1 to 10 spatial axes, got 'tensor<?x4xf32>'}}
  %s, %x = scn.dense_to_sparse %d : tensor<?x4xf32>
  return
}

// -----

// Static spatial sizes for DenseToSparse.
func.func @dense_to_sparse_dynamic(%d: tensor<?x4x?xf32>) {
  // expected-error @+1 {{dense input needs static channels and spatial sizes}}
  %s, %x = scn.dense_to_sparse %d : tensor<?x4x?xf32>
  return
}

// -----

// fused_operands names operands of the concat, in increasing order.
func.func @concat_fused_index(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>) {
  // expected-error @+1 {{fused_operands must be increasing operand indices below 2, got 2}}
  %c = scn.concat %a, %b {fused_operands = array<i64: 2>} : tensor<?x2xf32>, tensor<?x3xf32>
  return
}

// -----

// Only leaky_relu and elu take an alpha: on another step it would be dropped.
func.func @alpha_on_tap(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>) {
  // expected-error @+1 {{epilogue step 'tap' takes no alpha (only leaky_relu and elu do)}}
  %y:2 = scn.linear %x, %w {epilogue = [#scn.step<tap, 0.5>]} : tensor<?x4xf32>, tensor<4x4xf32>
  return
}
