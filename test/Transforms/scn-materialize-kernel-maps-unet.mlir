// SparseConvNet's UNet(3, reps=2, [32, 64, 96, 128, 160], residual_blocks=True)
// with its input SubmanifoldConvolution, BatchNormReLU and OutputLayer
// (Inputs/unet3d-reps2.mlir, written by
// `utils/spec_to_mlir.py unet:2:32,64,96,128,160`). It has 5 scales, a 3x3x3
// submanifold filter at each and a 2/2 downsample between each pair: 9
// distinct (scale, filter, stride) triples, so exactly 9 kernel maps, while
// it has 45 ops that read a map (37 submanifold, 8 strided).
// RUN: scn-opt %S/Inputs/unet3d-reps2.mlir | FileCheck %s --check-prefix=BEFORE
// RUN: scn-opt %S/Inputs/unet3d-reps2.mlir -scn-materialize-kernel-maps | FileCheck %s

// BEFORE-COUNT-37: scn.submanifold_conv
// BEFORE-NOT: scn.submanifold_conv

// CHECK-COUNT-5: scn.kernel_map submanifold
// CHECK-NOT: scn.kernel_map submanifold
