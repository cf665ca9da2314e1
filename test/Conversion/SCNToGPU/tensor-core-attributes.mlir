// convert-scn-to-gpu refuses tensor-core tiles that its warps cannot take,
// naming the op and the attribute (these come from hand-written IR; the
// plan only writes valid ones).
// RUN: scn-opt %s --scn-materialize-kernel-maps --convert-scn-to-gpu --split-input-file --verify-diagnostics

func.func @rows(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{'scn.submanifold_conv' op has dataflow "tensor_core" with rows_per_tile 8; a warp takes 16, 32 or 64 rows}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", rows_per_tile = 8 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @columns(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x32xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x32xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has dataflow "tensor_core" with channel_tile 64; it must be a multiple of 16, at most 128, that divides the 32 output channels}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", channel_tile = 64 : i64} : tensor<?x16xf32>, tensor<27x1x16x32xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x32xf32>
}

// -----

func.func @channels(%c: tensor<?x4xi64>, %f: tensor<?x8xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x8x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x8xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x8xf32>
  // expected-error @+1 {{has dataflow "tensor_core" but 8 input and 16 output channels; both must be multiples of 16}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core"} : tensor<?x8xf32>, tensor<27x1x8x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @type(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has mma_type "f8"; tensor cores take "f16", "bf16" or "tf32"}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", mma_type = "f8"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @accumulators(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x128xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x128xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has a tensor-core warp of 64 rows x 128 channels: 256 accumulators a lane, more than the 128 that fit in registers}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", rows_per_tile = 64 : i64, channel_tile = 128 : i64} : tensor<?x16xf32>, tensor<27x1x16x128xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x128xf32>
}

// -----

func.func @loads(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{'scn.submanifold_conv' op has dataflow "tensor_core" with loads_in_flight 0; a lane issues 1 to 64 loads at once}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", loads_in_flight = 0 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @weightsMemory(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has weights_memory "texture"; tensor-core warps read weights from "global", "shared", "staged" or "block" memory}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "texture"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @sharedTooLarge(%c: tensor<?x4xi64>, %f: tensor<?x128xf32>) -> tensor<?x128xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x128x128xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x128xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x128xf32>
  // expected-error @+1 {{has weights_memory "shared" but its weights for 64 output channels take 442368 bytes of shared memory, which with the kernel's own 128 is more than the 232448 a block can have; use a narrower channel_tile or weights_memory "global"}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", channel_tile = 64 : i64, weights_memory = "shared"} : tensor<?x128xf32>, tensor<27x1x128x128xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x128xf32>
}

// -----

func.func @gathers(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has gathers "later"; tensor-core warps gather into "registers" or "async" (shared-memory stages)}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", gathers = "later"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @stages(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has gather_stages 9; async gathers take 2 to 8 stages}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", gathers = "async", gather_stages = 9 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @stageBytes(%c: tensor<?x4xi64>, %f: tensor<?x160xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x160x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x160xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x160xf32>
  // expected-error @+1 {{has 8 gather stages of 40960 bytes for each of its 4 warps a block: 1310720 bytes of shared memory, which with the kernel's own 128 is more than the 232448 a block can have; use fewer gather_stages}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", gathers = "async", gather_stages = 8 : i64, rows_per_tile = 64 : i64} : tensor<?x160xf32>, tensor<27x1x160x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @gathersWithoutMasks(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<125x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has gathers "async", which runs the offsets of the warps' neighbour masks, but has none: a filter of 125 offsets (at most 32) or neighbour-masks=false}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 5, 5, 5>, dataflow = "tensor_core", gathers = "async"} : tensor<?x16xf32>, tensor<125x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @blockWithoutMasks(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<125x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has weights_memory "block", whose blocks run the offsets of their warps' neighbour masks, but has none: a filter of 125 offsets (at most 32) or neighbour-masks=false}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 5, 5, 5>, dataflow = "tensor_core", weights_memory = "block"} : tensor<?x16xf32>, tensor<125x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @blockTooWide(%c: tensor<?x4xi64>, %f: tensor<?x1024xf32>) -> tensor<?x128xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x1024x128xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x1024xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x1024xf32>
  // expected-error @+1 {{has weights_memory "block" with 2 stages of 262144 bytes of weights: 524304 bytes of shared memory, which with the kernel's own 128 is more than the 232448 a block can have; use a narrower channel_tile}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "block", channel_tile = 128 : i64} : tensor<?x1024xf32>, tensor<27x1x1024x128xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x128xf32>
}

// -----

func.func @blockWarpsWithoutBlockWeights(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has block_warps 8, which is for weights_memory "block" and is 4 or 8}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", block_warps = 8 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @blockWarps12(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has block_warps 12, which is for weights_memory "block" and is 4 or 8}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "block", block_warps = 12 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @stagedWithoutGathers(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has weights_memory "staged", which copies the weights into the stages of gathers "async", without them}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "staged"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @stagedWithRegisterGathers(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has weights_memory "staged", which copies the weights into the stages of gathers "async", without them}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "staged", gathers = "registers"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

// cluster_blocks = 2 is for wgmma's blocks of one warpgroup (sm_90a, block
// weights): not for mma.sync block weights.
func.func @clusterWithoutWgmma(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has cluster_blocks 2, which is 1, or 2 for warpgroup_mma on block weights in blocks of 4 warps}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "block", cluster_blocks = 2 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @clusterOfFour(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{has cluster_blocks 4, which is 1, or 2 for warpgroup_mma on block weights in blocks of 4 warps}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "block", cluster_blocks = 4 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}
