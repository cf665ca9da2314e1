// tensor-core-gathers=async: tensor-core ops gather through shared-memory
// stages (gathers, gather_stages), fewer stages where a block's do not fit
// the budget (stages x row tiles x 2 rows x input blocks x 32 lanes x 4
// activations of activation-bytes, f32's 4 by default, a warp; 4 warps a
// block, 16 with shared
// weights, whose columns then fit what the stages leave), and filters of
// more than 32 offsets keep registers. Hand-written stages must fit too.
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async" | FileCheck %s
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async tensor-core-stages=8 tensor-core-shared-bytes=101376" | FileCheck %s --check-prefix=SM86
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async tensor-core-stages=2 tensor-core-weights=shared" | FileCheck %s --check-prefix=SHARED
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true" | FileCheck %s --check-prefix=DEFAULT
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async tensor-core-weights=shared" | FileCheck %s --check-prefix=BOTH
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async tensor-core-weights=shared activation-bytes=2" | FileCheck %s --check-prefix=BOTH16
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async tensor-core-weights=staged" | FileCheck %s --check-prefix=STAGED
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async tensor-core-weights=staged tensor-core-shared-bytes=101376" | FileCheck %s --check-prefix=STAGED86
// RUN: not scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true activation-bytes=8" 2>&1 | FileCheck %s --check-prefix=BADBYTES
// RUN: not scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=later" 2>&1 | FileCheck %s --check-prefix=BADMODE
// RUN: not scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async tensor-core-stages=1" 2>&1 | FileCheck %s --check-prefix=BADSTAGES

// BADMODE: scn-plan-dataflow: tensor-core-gathers 'later' is not registers or async
// BADSTAGES: scn-plan-dataflow: tensor-core-stages 1 is not 2 to 8
// BADBYTES: scn-plan-dataflow: activation-bytes 8 is not 2 or 4

// 64 -> 64 at 3x3x3: 4 KiB a warp's stage. 3 stages x 4 warps fit 227 KiB
// twice (two blocks an SM); under sm_86's 99 KiB, of the 8 asked for, 3
// leave room for two blocks (48 KiB each), 6 would for one. With 16 warps
// of shared weights, 2 stages take 128 KiB and leave the 16-column tile's
// 55296 bytes of weights room.
// CHECK-LABEL: func @layer
// CHECK: scn.submanifold_conv {{.*}}gather_stages = 3 : i64, gathers = "async"
// SM86-LABEL: func @layer
// SM86: scn.submanifold_conv {{.*}}gather_stages = 3 : i64, gathers = "async"
// SHARED-LABEL: func @layer
// SHARED: scn.submanifold_conv {{.*}}channel_tile = 16 : i64{{.*}}gather_stages = 2 : i64, gathers = "async"{{.*}}weights_memory = "shared"
// With shared weights asked for too: 3 stages of 16 warps (192 KiB) leave
// no room for even 16 columns of weights (55296 bytes), 2 stages (128 KiB)
// do, so the plan takes those (shared weights and async gathers first).
// BOTH-LABEL: func @layer
// BOTH: scn.submanifold_conv {{.*}}channel_tile = 16 : i64{{.*}}gather_stages = 2 : i64, gathers = "async"{{.*}}weights_memory = "shared"
// The caller's rows stay f32 whatever the activations (below: rows the
// network stores).
// BOTH16-LABEL: func @layer
// BOTH16: scn.submanifold_conv {{.*}}channel_tile = 16 : i64{{.*}}gather_stages = 2 : i64, gathers = "async"{{.*}}weights_memory = "shared"
// Staged weights: each warp's stage holds 8 KiB of f16 weights (64 x 64)
// beside its 4 KiB of input chunks: 3 stages of 4 warps take 144 KiB,
// within 227 but only once, 2 stages (96 KiB) twice; under 99 KiB, 2 stages
// fit once, which the plan takes rather than 3 stages of global weights.
// STAGED-LABEL: func @layer
// STAGED: scn.submanifold_conv {{.*}}gather_stages = 2 : i64, gathers = "async"{{.*}}weights_memory = "staged"
// STAGED86-LABEL: func @layer
// STAGED86: scn.submanifold_conv {{.*}}gather_stages = 2 : i64, gathers = "async"{{.*}}weights_memory = "staged"
// DEFAULT-LABEL: func @layer
// DEFAULT-NOT: gathers
func.func @layer(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x64xf32>, %w: tensor<27x1x64x64xf32>) -> tensor<?x64xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}

// -----

// 125 offsets: more than a neighbour mask holds.
// CHECK-LABEL: func @largeFilter
// CHECK-NOT: gathers
// BOTH-LABEL: func @largeFilter
// BOTH-NOT: gathers
// BOTH16-LABEL: func @largeFilter
// BOTH16-NOT: gathers
// STAGED-LABEL: func @largeFilter
// STAGED-NOT: staged
// STAGED86-LABEL: func @largeFilter
// STAGED86-NOT: staged
func.func @largeFilter(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<125x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 5, 5, 5>} : tensor<?x16xf32>, tensor<125x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}


// -----

// Rows the network stores (mode 0: a row a site) take the activations'
// bytes: with f16 (activation-bytes=2, the pipeline's activations=f16) a
// stage is half as large, and 3 stages of 16 warps (96 KiB) leave the
// 32-column tile's 110592 bytes of weights room.
// BOTH16-LABEL: func @storedRows
// BOTH16: scn.submanifold_conv {{.*}}channel_tile = 32 : i64{{.*}}gather_stages = 3 : i64, gathers = "async"{{.*}}weights_memory = "shared"
// CHECK-LABEL: func @storedRows
// STAGED-LABEL: func @storedRows
// STAGED86-LABEL: func @storedRows
// SM86-LABEL: func @storedRows
// SHARED-LABEL: func @storedRows
// BOTH-LABEL: func @storedRows
// DEFAULT-LABEL: func @storedRows
func.func @storedRows(%c: tensor<?x4xi64>, %f: tensor<?x64xf32>, %w: tensor<27x1x64x64xf32>) -> tensor<?x64xf32> {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x64xf32> -> !scn.sites<3, [16, 16, 16]>, tensor<?x64xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}

// -----

// The network's merged input rows (mode 4: sums) stay f32 whatever the
// activations: 2 stages beside 16 columns, as for the caller's rows.
// BOTH16-LABEL: func @onInput
// BOTH16: scn.submanifold_conv {{.*}}channel_tile = 16 : i64{{.*}}gather_stages = 2 : i64, gathers = "async"{{.*}}weights_memory = "shared"
// CHECK-LABEL: func @onInput
// STAGED-LABEL: func @onInput
// STAGED86-LABEL: func @onInput
// SM86-LABEL: func @onInput
// SHARED-LABEL: func @onInput
// BOTH-LABEL: func @onInput
// DEFAULT-LABEL: func @onInput
func.func @onInput(%c: tensor<?x4xi64>, %f: tensor<?x64xf32>, %w: tensor<27x1x64x64xf32>) -> tensor<?x64xf32> {
  %s, %x = scn.input %c, %f {mode = 4 : i64} : tensor<?x4xi64>, tensor<?x64xf32> -> !scn.sites<3, [16, 16, 16]>, tensor<?x64xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}
