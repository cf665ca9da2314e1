// The strided half of the UNet count (see scn-materialize-kernel-maps-unet.mlir):
// 4 convolutions down and 4 deconvolutions up share 4 strided maps.
// RUN: scn-opt %S/Inputs/unet3d-reps2.mlir -scn-materialize-kernel-maps | FileCheck %s

// CHECK-COUNT-4: scn.kernel_map strided
// CHECK-NOT: scn.kernel_map strided
