// Tracing and import of the network builders: a residual UNet (every deconv
// maps back onto the sites of its downsample) and a SparseVggNet with
// max pooling and down-up branches. Weights as arguments in the second.
// RUN: %python %S/trace_model.py unet %t.unet.pt
// RUN: scn-import-torch %t.unet.pt -o %t.unet.mlir
// RUN: FileCheck %s --check-prefix=UNET < %t.unet.mlir
// RUN: scn-opt %t.unet.mlir -o /dev/null
// RUN: %python %S/trace_model.py vgg %t.vgg.pt
// RUN: scn-import-torch %t.vgg.pt --weights-as-args -o %t.vgg.mlir
// RUN: FileCheck %s --check-prefix=VGG < %t.vgg.mlir
// RUN: scn-opt %t.vgg.mlir -o /dev/null

// UNET: %[[S:.*]], %{{.*}} = scn.input
// UNET: %[[T:.*]] = scn.downsample %[[S]] {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>}
// UNET: scn.conv {{.*}} from %[[S]] to %[[T]]
// UNET: scn.deconv {{.*}} from %[[T]] to %[[S]]
// UNET: scn.concat
// UNET: scn.add
// UNET: scn.output %{{.*}} on %[[S]] : tensor<?x4xf32>

// VGG-LABEL: func.func @main(%coords: tensor<?x3xi64> {scn.name = "coords"}, %features: tensor<?x1xf32> {scn.name = "features"}, %model_0_0_weight: tensor<9x1x1x4xf32> {scn.name = "model.0.0.weight"},
// VGG-NOT: dense_resource
// VGG: scn.max_pool
// VGG: scn.deconv
// VGG: scn.concat
// VGG-NOT: dialect_resources
