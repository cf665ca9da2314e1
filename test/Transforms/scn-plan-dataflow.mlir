// RUN: scn-opt %s -scn-plan-dataflow -split-input-file | FileCheck %s
// RUN: scn-opt %s -scn-plan-dataflow="max-channel-tile=16 rows-per-tile=8" -split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: scn-opt %s -scn-plan-dataflow="weight-stationary-min-channels=0" -split-input-file | FileCheck %s --check-prefix=NOWS
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda" -split-input-file | FileCheck %s --check-prefix=CUDA
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda simt-channel-tile=8 rows-per-tile=2" -split-input-file | FileCheck %s --check-prefix=SIMT
// RUN: not scn-opt %s -scn-plan-dataflow="target=tpu" -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true" -split-input-file | FileCheck %s --check-prefix=TC
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-type=bf16" -split-input-file | FileCheck %s --check-prefix=BF16
// RUN: not scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-type=f8" -split-input-file 2>&1 | FileCheck %s --check-prefix=BADTC
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-rows=64" -split-input-file | FileCheck %s --check-prefix=ROWS64
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-loads=6" -split-input-file | FileCheck %s --check-prefix=LOADS
// RUN: not scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-rows=48" -split-input-file 2>&1 | FileCheck %s --check-prefix=BADROWS
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=shared tensor-core-shared-bytes=49280" -split-input-file | FileCheck %s --check-prefix=SHARED64
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-type=tf32 tensor-core-weights=shared tensor-core-shared-bytes=49280" -split-input-file | FileCheck %s --check-prefix=SHAREDTF32
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=shared tensor-core-shared-bytes=40000" -split-input-file | FileCheck %s --check-prefix=SHARED32
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=shared tensor-core-shared-bytes=10000" -split-input-file | FileCheck %s --check-prefix=SHAREDNONE
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=large tensor-core-shared-min-weights=20000" -split-input-file | FileCheck %s --check-prefix=SHAREDNONE
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=large tensor-core-shared-bytes=49280" -split-input-file | FileCheck %s --check-prefix=SHARED64
// RUN: not scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=texture" -split-input-file 2>&1 | FileCheck %s --check-prefix=BADWEIGHTS
// RUN: not scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-columns=48" -split-input-file 2>&1 | FileCheck %s --check-prefix=BADCOLUMNS
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=shared tensor-core-rows=64" -split-input-file | FileCheck %s --check-prefix=SHAREDROWS64

// With tensor cores, convolutions with channels in multiples of 16 are
// tensor_core; 4 input channels or no kernel map (scn.linear) stay
// channel_parallel, and a dataflow written by hand is kept.
// TC-LABEL: func @plan
// TC: scn.submanifold_conv {{.*}}dataflow = "channel_parallel"
// TC: scn.linear {{.*}}dataflow = "channel_parallel"
// A tensor-core warp takes 64 of the 128 output channels (the widest of 64,
// 32, 16 that divides them) and 16 rows (one row tile) unless told
// otherwise, with f16 multiplicands unless told bf16.
// TC-LABEL: func @wide
// TC: scn.submanifold_conv {{.*}}{channel_tile = 64 : i64, dataflow = "tensor_core", filter_size = array<i64: 3>, mma_type = "f16", rows_per_tile = 16 : i64}
// tensor-core-loads: each tensor-core op says how many loads a lane issues
// at once (without it, none: the lowering's default).
// LOADS-LABEL: func @wide
// LOADS: scn.submanifold_conv {{.*}}dataflow = "tensor_core"{{.*}}loads_in_flight = 6 : i64
// TC-NOT: loads_in_flight
// tensor-core-weights=shared: a block's copy of the weights for its output
// channels (3 offsets x 128 inputs x columns, f16), with 128 bytes for the
// kernel's own static symbol, must fit the budget, so the plan narrows the
// tile: 64 columns take 49152 bytes, 32 take 24576;
// where not even 16 fit (12288 > 10000) the op keeps global weights, as
// it does with tensor-core-weights=large when its 128 x 128 channels are
// under tensor-core-shared-min-weights (at the default 4096 they are not).
// Their 128 input channels also take 6 loads in flight (12 spilled under
// the 128 registers of shared-weight blocks).
// SHARED64-LABEL: func @wide
// SHARED64: scn.submanifold_conv {{.*}}{channel_tile = 64 : i64, dataflow = "tensor_core", {{.*}}loads_in_flight = 6 : i64, {{.*}}weights_memory = "shared"}
// tf32 weights take 4 bytes: 32 columns (49152 bytes) fit where f16 took 64.
// SHAREDTF32-LABEL: func @wide
// SHAREDTF32: scn.submanifold_conv {{.*}}{channel_tile = 32 : i64, dataflow = "tensor_core", {{.*}}mma_type = "tf32"{{.*}}weights_memory = "shared"}
// SHARED32-LABEL: func @wide
// SHARED32: scn.submanifold_conv {{.*}}{channel_tile = 32 : i64, dataflow = "tensor_core", {{.*}}weights_memory = "shared"}
// SHAREDNONE-LABEL: func @wide
// SHAREDNONE: scn.submanifold_conv {{.*}}{channel_tile = 64 : i64, dataflow = "tensor_core", filter_size = array<i64: 3>, mma_type = "f16", rows_per_tile = 16 : i64}
// SHAREDNONE-NOT: weights_memory
// With shared weights a lane keeps at most 32 accumulators (rows x
// columns <= 1024; blocks of 512 threads have 128 registers a thread):
// 64-row warps take 16 columns.
// SHAREDROWS64-LABEL: func @wide
// SHAREDROWS64: scn.submanifold_conv {{.*}}{channel_tile = 16 : i64, dataflow = "tensor_core", {{.*}}rows_per_tile = 64 : i64, weights_memory = "shared"}
// BADWEIGHTS: error: scn-plan-dataflow: tensor-core-weights 'texture' is not global, shared, large, staged or block
// BADCOLUMNS: error: scn-plan-dataflow: tensor-core-columns 48 is not 16, 32, 64 or 128 (or 0, the plan's)
// ROWS64-LABEL: func @wide
// ROWS64: scn.submanifold_conv {{.*}}dataflow = "tensor_core"{{.*}}rows_per_tile = 64 : i64
// BADROWS: error: scn-plan-dataflow: tensor-core-rows 48 is not 16, 32 or 64
// TC: scn.submanifold_conv {{.*}}dataflow = "output_stationary"
// BF16-LABEL: func @wide
// BF16: scn.submanifold_conv {{.*}}dataflow = "tensor_core"{{.*}}mma_type = "bf16"
// BADTC: error: scn-plan-dataflow: tensor-core-type 'f8' is not f16, bf16 or tf32

// For CUDA every op is channel_parallel: one thread per (tile of 4 rows,
// tile of up to 4 output channels that divides the layer's: 96 channels 4,
// 6 channels 3); what was written by hand is kept.
// CUDA-LABEL: func @plan
// CUDA: scn.submanifold_conv {{.*}} {channel_tile = 4 : i64, dataflow = "channel_parallel", filter_size = array<i64: 3>, rows_per_tile = 4 : i64}
// CUDA: scn.linear {{.*}} {channel_tile = 3 : i64, dataflow = "channel_parallel", rows_per_tile = 1 : i64}
// simt-channel-tile: a thread per row tile x the widest channel tile up to
// that many that divides the layer's (96 channels: 8; 6 channels: all 6).
// SIMT-LABEL: func @plan
// SIMT: scn.submanifold_conv {{.*}} {channel_tile = 8 : i64, dataflow = "channel_parallel", filter_size = array<i64: 3>, rows_per_tile = 2 : i64}
// SIMT: scn.linear {{.*}} {channel_tile = 6 : i64, dataflow = "channel_parallel", rows_per_tile = 1 : i64}
// CUDA-LABEL: func @wide
// CUDA: scn.submanifold_conv {{.*}}dataflow = "channel_parallel"
// CUDA: scn.submanifold_conv {{.*}}dataflow = "output_stationary"
// BAD: error: scn-plan-dataflow: target 'tpu' is neither cpu nor cuda

// 96 output channels: tiles of 32 lanes (32 divides 96); 4 x 96 weights per
// offset is a narrow layer: 2 rows per tile.
// A schedule written by hand is kept.
// CHECK-LABEL: func @plan
// CHECK: scn.submanifold_conv {{.*}} {channel_tile = 32 : i64, dataflow = "output_stationary", filter_size = array<i64: 3>, rows_per_tile = 2 : i64}
// CHECK: scn.linear {{.*}} {channel_tile = 6 : i64, dataflow = "output_stationary", rows_per_tile = 1 : i64}
// SMALL: scn.submanifold_conv {{.*}} {channel_tile = 16 : i64, dataflow = "output_stationary", filter_size = array<i64: 3>, rows_per_tile = 8 : i64}
func.func @plan(%s: !scn.sites<1, [16]>, %x: tensor<?x4xf32>, %w: tensor<3x1x4x96xf32>, %wl: tensor<96x6xf32>) -> tensor<?x6xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x4xf32>, tensor<3x1x4x96xf32>, !scn.sites<1, [16]>
  %z = scn.linear %y, %wl {rows_per_tile = 1 : i64} : tensor<?x96xf32>, tensor<96x6xf32>
  return %z : tensor<?x6xf32>
}

// -----

// A wide layer (128 x 128 channels) is weight-stationary: tiles of 8 pairs
// share each weight load. Output-stationary (NOWS), it shares each weight
// load over 4 rows. A dataflow written by hand is kept.
// CHECK-LABEL: func @wide
// CHECK: scn.submanifold_conv {{.*}}dataflow = "weight_stationary"{{.*}}rows_per_tile = 8 : i64
// CHECK: scn.submanifold_conv {{.*}}dataflow = "output_stationary"{{.*}}rows_per_tile = 4 : i64
// NOWS-LABEL: func @wide
// NOWS: scn.submanifold_conv {{.*}}dataflow = "output_stationary"{{.*}}rows_per_tile = 4 : i64
func.func @wide(%s: !scn.sites<1, [16]>, %x: tensor<?x128xf32>, %w: tensor<3x1x128x128xf32>) -> tensor<?x128xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x128xf32>, tensor<3x1x128x128xf32>, !scn.sites<1, [16]>
  %z = scn.submanifold_conv %y, %w on %s {dataflow = "output_stationary", filter_size = array<i64: 3>} : tensor<?x128xf32>, tensor<3x1x128x128xf32>, !scn.sites<1, [16]>
  return %z : tensor<?x128xf32>
}

// -----

// For CUDA, summed input rows (modes 3 and 4) merge with atomic adds in a
// kernel; other modes (one row per site) and the CPU plan are unchanged.
// CUDA-LABEL: func @inputs
// CUDA: scn.input {{.*}}{input_merge = "atomic", mode = 4 : i64}
// CUDA: scn.input {{.*}}{mode = 1 : i64}
// CHECK-LABEL: func @inputs
// CHECK-NOT: input_merge
func.func @inputs(%c: tensor<?x2xi64>, %f: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %s, %x = scn.input %c, %f {mode = 4 : i64} : tensor<?x2xi64>, tensor<?x3xf32> -> !scn.sites<1, [16]>, tensor<?x3xf32>
  %t, %y = scn.input %c, %f {mode = 1 : i64} : tensor<?x2xi64>, tensor<?x3xf32> -> !scn.sites<1, [16]>, tensor<?x3xf32>
  return %x, %y : tensor<?x3xf32>, tensor<?x3xf32>
}
