// Round trip of every scn op, in the custom form and through the generic form.
// RUN: scn-opt %s | scn-opt | FileCheck %s
// RUN: scn-opt %s --mlir-print-op-generic | scn-opt | FileCheck %s

// CHECK-LABEL: func @io
func.func @io(%c: tensor<?x3xi64>, %f: tensor<?x4xf32>, %bc: tensor<?x?x2xi32>,
              %bf: tensor<?x?x4xf32>, %d: tensor<?x3x10x10xf32>)
    -> (tensor<?x4xf32>, tensor<?x?x4xf32>, tensor<?x4x32x32xf32>, tensor<?x3xf32>) {
  // CHECK: %[[S:.*]], %[[X:.*]] = scn.input %{{.*}}, %{{.*}} {batch_size = 4 : i64, mode = 4 : i64} : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [32, 32]>, tensor<?x4xf32>
  %s, %x = scn.input %c, %f {mode = 4 : i64, batch_size = 4 : i64}
      : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [32, 32]>, tensor<?x4xf32>
  // CHECK: scn.output %[[X]] on %[[S]] : tensor<?x4xf32>, !scn.sites<2, [32, 32]>
  %rows = scn.output %x on %s : tensor<?x4xf32>, !scn.sites<2, [32, 32]>
  // CHECK: %[[BS:.*]], %[[BX:.*]] = scn.bl_input %{{.*}}, %{{.*}} {mode = 1 : i64} : tensor<?x?x2xi32>, tensor<?x?x4xf32> -> !scn.sites<2, [64, 64]>, tensor<?x4xf32>
  %bs, %bx = scn.bl_input %bc, %bf {mode = 1 : i64}
      : tensor<?x?x2xi32>, tensor<?x?x4xf32> -> !scn.sites<2, [64, 64]>, tensor<?x4xf32>
  // CHECK: scn.bl_output %[[BX]] on %[[BS]] : tensor<?x4xf32>, !scn.sites<2, [64, 64]>
  %bo = scn.bl_output %bx on %bs : tensor<?x4xf32>, !scn.sites<2, [64, 64]>
  // CHECK: scn.sparse_to_dense %[[X]] on %[[S]] : tensor<?x4xf32>, !scn.sites<2, [32, 32]>
  %dense = scn.sparse_to_dense %x on %s : tensor<?x4xf32>, !scn.sites<2, [32, 32]>
  // CHECK: scn.dense_to_sparse %{{.*}} : tensor<?x3x10x10xf32>
  %ds, %dx = scn.dense_to_sparse %d : tensor<?x3x10x10xf32>
  return %rows, %bo, %dense, %dx : tensor<?x4xf32>, tensor<?x?x4xf32>, tensor<?x4x32x32xf32>, tensor<?x3xf32>
}

// CHECK-LABEL: func @convolutions
func.func @convolutions(%s: !scn.sites<3, [32, 32, 32]>, %x: tensor<?x4xf32>,
                        %w3: tensor<27x2x2x2xf32>, %b8: tensor<8xf32>, %b4: tensor<4xf32>,
                        %w2: tensor<8x1x4x8xf32>, %wd: tensor<8x1x8x4xf32>,
                        %wf: tensor<27x1x4x4xf32>, %wl: tensor<4x8xf32>,
                        %wl84: tensor<8x4xf32>)
    -> (tensor<?x8xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x8xf32>) {
  // CHECK: %[[K:.*]] = scn.kernel_map submanifold %[[S:.*]], %[[S]] {filter_size = array<i64: 3, 3, 3>, filter_stride = array<i64: 1, 1, 1>} : !scn.sites<3, [32, 32, 32]>, !scn.sites<3, [32, 32, 32]>
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3, 3>,
      filter_stride = array<i64: 1, 1, 1>} : !scn.sites<3, [32, 32, 32]>, !scn.sites<3, [32, 32, 32]>
  // CHECK: scn.submanifold_conv %{{.*}}, %{{.*}} on %[[S]] bias(%{{.*}} : tensor<4xf32>) map(%[[K]]) {filter_size = array<i64: 3, 3, 3>} : tensor<?x4xf32>, tensor<27x2x2x2xf32>, !scn.sites<3, [32, 32, 32]>
  %y = scn.submanifold_conv %x, %w3 on %s bias(%b4 : tensor<4xf32>) map(%k)
      {filter_size = array<i64: 3, 3, 3>} : tensor<?x4xf32>, tensor<27x2x2x2xf32>, !scn.sites<3, [32, 32, 32]>
  // CHECK: %[[T:.*]] = scn.downsample %[[S]] {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>} : !scn.sites<3, [32, 32, 32]>
  %t = scn.downsample %s {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>}
      : !scn.sites<3, [32, 32, 32]>
  // CHECK: %[[KS:.*]] = scn.kernel_map strided %[[S]], %[[T]]
  %ks = scn.kernel_map strided %s, %t {filter_size = array<i64: 2, 2, 2>,
      filter_stride = array<i64: 2, 2, 2>} : !scn.sites<3, [32, 32, 32]>, !scn.sites<3, [16, 16, 16]>
  // CHECK: %[[C:.*]] = scn.conv %{{.*}}, %{{.*}} from %[[S]] to %[[T]] bias(%{{.*}} : tensor<8xf32>) map(%[[KS]]) {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>} : tensor<?x4xf32>, tensor<8x1x4x8xf32>, !scn.sites<3, [32, 32, 32]> -> !scn.sites<3, [16, 16, 16]>
  %c = scn.conv %y, %w2 from %s to %t bias(%b8 : tensor<8xf32>) map(%ks)
      {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>}
      : tensor<?x4xf32>, tensor<8x1x4x8xf32>, !scn.sites<3, [32, 32, 32]> -> !scn.sites<3, [16, 16, 16]>
  // CHECK: scn.deconv %[[C]], %{{.*}} from %[[T]] to %[[S]] map(%[[KS]]) {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>} : tensor<?x8xf32>, tensor<8x1x8x4xf32>, !scn.sites<3, [16, 16, 16]> -> !scn.sites<3, [32, 32, 32]>
  %d = scn.deconv %c, %wd from %t to %s map(%ks)
      {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>}
      : tensor<?x8xf32>, tensor<8x1x8x4xf32>, !scn.sites<3, [16, 16, 16]> -> !scn.sites<3, [32, 32, 32]>
  // CHECK: %[[F:.*]] = scn.full_sites %[[T]] {filter_size = array<i64: 3, 3, 3>, filter_stride = array<i64: 2, 2, 2>} : !scn.sites<3, [16, 16, 16]>
  %f = scn.full_sites %t {filter_size = array<i64: 3, 3, 3>, filter_stride = array<i64: 2, 2, 2>}
      : !scn.sites<3, [16, 16, 16]>
  // CHECK: scn.kernel_map full %[[T]], %[[F]]
  %kf = scn.kernel_map full %t, %f {filter_size = array<i64: 3, 3, 3>,
      filter_stride = array<i64: 2, 2, 2>} : !scn.sites<3, [16, 16, 16]>, !scn.sites<3, [33, 33, 33]>
  %cd = scn.linear %c, %wl84 : tensor<?x8xf32>, tensor<8x4xf32>
  // CHECK: scn.full_conv %{{.*}}, %{{.*}} from %[[T]] to %[[F]] map(%{{.*}}) {filter_size = array<i64: 3, 3, 3>, filter_stride = array<i64: 2, 2, 2>} : tensor<?x4xf32>, tensor<27x1x4x4xf32>, !scn.sites<3, [16, 16, 16]> -> !scn.sites<3, [33, 33, 33]>
  %fc = scn.full_conv %cd, %wf from %t to %f map(%kf)
      {filter_size = array<i64: 3, 3, 3>, filter_stride = array<i64: 2, 2, 2>}
      : tensor<?x4xf32>, tensor<27x1x4x4xf32>, !scn.sites<3, [16, 16, 16]> -> !scn.sites<3, [33, 33, 33]>
  // CHECK: scn.linear %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<8xf32>) : tensor<?x4xf32>, tensor<4x8xf32>
  %l = scn.linear %d, %wl bias(%b8 : tensor<8xf32>) : tensor<?x4xf32>, tensor<4x8xf32>
  return %c, %d, %fc, %l : tensor<?x8xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x8xf32>
}

// CHECK-LABEL: func @pooling
func.func @pooling(%s: !scn.sites<2, [31, 31]>, %x: tensor<?x8xf32>)
    -> (tensor<?x7xf32>, tensor<?x8xf32>) {
  // CHECK: %[[T:.*]] = scn.downsample
  %t = scn.downsample %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>}
      : !scn.sites<2, [31, 31]>
  // CHECK: scn.max_pool %{{.*}} from %{{.*}} to %[[T]] {features_to_drop = 1 : i64, filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>} : tensor<?x8xf32>, !scn.sites<2, [31, 31]> -> !scn.sites<2, [15, 15]>
  %m = scn.max_pool %x from %s to %t {filter_size = array<i64: 3, 3>,
      filter_stride = array<i64: 2, 2>, features_to_drop = 1 : i64}
      : tensor<?x8xf32>, !scn.sites<2, [31, 31]> -> !scn.sites<2, [15, 15]>
  // CHECK: %[[A:.*]] = scn.avg_pool %{{.*}} from %{{.*}} to %[[T]]
  %a = scn.avg_pool %x from %s to %t {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>}
      : tensor<?x8xf32>, !scn.sites<2, [31, 31]> -> !scn.sites<2, [15, 15]>
  // CHECK: scn.unpool %[[A]] from %[[T]] to %{{.*}} {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>} : tensor<?x8xf32>, !scn.sites<2, [15, 15]> -> !scn.sites<2, [31, 31]>
  %u = scn.unpool %a from %t to %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>}
      : tensor<?x8xf32>, !scn.sites<2, [15, 15]> -> !scn.sites<2, [31, 31]>
  return %m, %u : tensor<?x7xf32>, tensor<?x8xf32>
}

// CHECK-LABEL: func @pointwise
func.func @pointwise(%x: tensor<?x8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>,
                     %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<?x16xf32> {
  // CHECK: scn.batch_norm %{{.*}}, %{{.*}}, %{{.*}} weight(%{{.*}} : tensor<8xf32>) bias(%{{.*}} : tensor<8xf32>) {leakiness = 0.000000e+00 : f64} : tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>
  %0 = scn.batch_norm %x, %m, %v weight(%g : tensor<8xf32>) bias(%b : tensor<8xf32>)
      {eps = 1.0e-4 : f64, leakiness = 0.0 : f64} : tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK: %{{.*}}, %{{.*}}:2 = scn.batch_norm %{{.*}}, %{{.*}}, %{{.*}} {momentum = 9.000000e-01 : f64, training} : tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>
  %1, %stats:2 = scn.batch_norm %0, %m, %v {momentum = 0.9 : f64, training}
      : tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK: scn.relu %{{.*}} : tensor<?x8xf32>
  %2 = scn.relu %1 : tensor<?x8xf32>
  // CHECK: scn.leaky_relu %{{.*}} {alpha = 2.000000e-01 : f64} : tensor<?x8xf32>
  %3 = scn.leaky_relu %2 {alpha = 0.2 : f64} : tensor<?x8xf32>
  // CHECK: scn.sigmoid
  %4 = scn.sigmoid %3 : tensor<?x8xf32>
  // CHECK: scn.tanh
  %5 = scn.tanh %4 : tensor<?x8xf32>
  // CHECK: scn.elu
  %6 = scn.elu %5 : tensor<?x8xf32>
  // CHECK: scn.selu
  %7 = scn.selu %6 : tensor<?x8xf32>
  // CHECK: scn.dropout %{{.*}} {p = 2.500000e-01 : f64} : tensor<?x8xf32>
  %8 = scn.dropout %7 {p = 0.25 : f64} : tensor<?x8xf32>
  // CHECK: scn.dropout %{{.*}} {training} : tensor<?x8xf32>
  %9 = scn.dropout %8 {p = 0.5 : f64, training} : tensor<?x8xf32>
  // CHECK: %[[A:.*]] = scn.add %{{.*}}, %{{.*}} : tensor<?x8xf32>
  %10 = scn.add %9, %x : tensor<?x8xf32>
  // CHECK: scn.concat %[[A]], %{{.*}} : tensor<?x8xf32>, tensor<?x8xf32>
  %11 = scn.concat %10, %x : tensor<?x8xf32>, tensor<?x8xf32>
  return %11 : tensor<?x16xf32>
}

// CHECK-LABEL: func @epilogue
func.func @epilogue(%s: !scn.sites<1, [100]>, %x: tensor<?x4xf32>, %w: tensor<3x1x4x4xf32>,
                    %scale: tensor<4xf32>, %shift: tensor<4xf32>, %r: tensor<?x4xf32>,
                    %x16: tensor<?x4xf16>, %w16: tensor<3x1x4x4xf16>) -> (tensor<?x4xf32>, tensor<?x4xf16>) {
  // CHECK: scn.submanifold_conv %{{.*}}, %{{.*}} on %{{.*}} epilogue(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<?x4xf32>) {epilogue = [#scn.step<affine>, #scn.step<leaky_relu, 1.000000e-01>, #scn.step<residual>], filter_size = array<i64: 3>}
  %y = scn.submanifold_conv %x, %w on %s epilogue(%scale, %shift, %r : tensor<4xf32>, tensor<4xf32>, tensor<?x4xf32>)
      {filter_size = array<i64: 3>, epilogue = [#scn.step<affine>, #scn.step<leaky_relu, 0.1>, #scn.step<residual>]}
      : tensor<?x4xf32>, tensor<3x1x4x4xf32>, !scn.sites<1, [100]>
  // Features may be f16 (fp32 accumulation is the lowering's business).
  // CHECK: scn.submanifold_conv %{{.*}}, %{{.*}} on %{{.*}} {epilogue = [#scn.step<relu>], filter_size = array<i64: 3>} : tensor<?x4xf16>, tensor<3x1x4x4xf16>
  %h = scn.submanifold_conv %x16, %w16 on %s {filter_size = array<i64: 3>, epilogue = [#scn.step<relu>]}
      : tensor<?x4xf16>, tensor<3x1x4x4xf16>, !scn.sites<1, [100]>
  return %y, %h : tensor<?x4xf32>, tensor<?x4xf16>
}

// A tap step gives the op a second result: the rows as they stood there.
// CHECK-LABEL: func @epilogue_tap
// CHECK: %[[O:.*]], %[[T:.*]] = scn.linear %{{.*}}, %{{.*}} epilogue(%{{.*}} : tensor<?x4xf32>) {epilogue = [#scn.step<residual>, #scn.step<tap>, #scn.step<relu>]}
// CHECK: %[[P:.*]], %[[Q:.*]] = scn.submanifold_conv %[[O]], %{{.*}} on %{{.*}} {epilogue = [#scn.step<tap>, #scn.step<sigmoid>], filter_size = array<i64: 3>}
// CHECK: return %[[O]], %[[T]], %[[Q]]
func.func @epilogue_tap(%s: !scn.sites<1, [100]>, %x: tensor<?x4xf32>, %wl: tensor<4x4xf32>,
                        %w: tensor<3x1x4x4xf32>, %r: tensor<?x4xf32>)
    -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %o, %t = scn.linear %x, %wl epilogue(%r : tensor<?x4xf32>)
      {epilogue = [#scn.step<residual>, #scn.step<tap>, #scn.step<relu>]} : tensor<?x4xf32>, tensor<4x4xf32>
  %p:2 = scn.submanifold_conv %o, %w on %s {filter_size = array<i64: 3>, epilogue = [#scn.step<tap>, #scn.step<sigmoid>]}
      : tensor<?x4xf32>, tensor<3x1x4x4xf32>, !scn.sites<1, [100]>
  return %o, %t, %p#1 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// Ten spatial dimensions, the most SparseConvNet supports.
// CHECK-LABEL: func @ten_dims
func.func @ten_dims(%s: !scn.sites<10, [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]>, %x: tensor<?x1xf32>,
                    %w: tensor<1x1x1x2xf32>) -> tensor<?x2xf32> {
  // CHECK: !scn.sites<10, [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 1, 1, 1, 1, 1, 1, 1, 1, 1, 1>}
      : tensor<?x1xf32>, tensor<1x1x1x2xf32>, !scn.sites<10, [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]>
  return %y : tensor<?x2xf32>
}
