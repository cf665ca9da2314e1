// --scn-cuda-pipeline=element-type=f16|bf16: convolutions with a kernel map,
// one group and channels in multiples of 16 run on tensor cores, warps of
// mma.sync m16n8k16 with f32 accumulators (sm_80+). The 16 -> 32 layer
// takes one warp per 16 rows (one row tile, with its own neighbour mask)
// x 32 channels: 4 mmas of 8 channels per gathered input fragment;
// tensor-core-rows=32 and 64 give two and four row tiles, each B fragment
// serving all of them. The 1 -> 16 stem stays a SIMT kernel.
// With emulate-on-host the warps run as host loops (no mma, no GPU op
// left). No GPU needed.
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_80" -split-input-file | FileCheck %s
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_80 tensor-core-rows=32" -split-input-file | FileCheck %s --check-prefix=ROWS32
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_80 tensor-core-rows=64" -split-input-file | FileCheck %s --check-prefix=ROWS64
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=bf16 chip=sm_90" -split-input-file | FileCheck %s --check-prefix=BF16
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=tf32 chip=sm_80" -split-input-file | FileCheck %s --check-prefix=TF32
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 neighbour-masks=false" -split-input-file | FileCheck %s --check-prefix=VOTES
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=bf16 emulate-on-host=true" -split-input-file | FileCheck %s --check-prefix=EMU
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90" -split-input-file | FileCheck %s --check-prefix=MASKS
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 neighbour-masks=false" -split-input-file | FileCheck %s --check-prefix=NOMASKS
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-weights=shared" -split-input-file | FileCheck %s --check-prefix=SHARED
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-weights=large" -split-input-file | FileCheck %s --check-prefix=LARGE
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-gathers=async narrow-tensor-core-inputs=false" -split-input-file | FileCheck %s --check-prefix=ASYNC
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-gathers=async" -split-input-file | FileCheck %s --check-prefix=ASYNCNARROW
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-gathers=async tensor-core-stages=4 activations=f16" -split-input-file | FileCheck %s --check-prefix=ASYNC16
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-gathers=async" -split-input-file | FileCheck %s --check-prefix=NOEXTERN
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 tensor-core-gathers=later" 2>&1 | FileCheck %s --check-prefix=BADGATHERS
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 tensor-core-stages=3" 2>&1 | FileCheck %s --check-prefix=STAGESONLY
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 tensor-core-gathers=async neighbour-masks=false" 2>&1 | FileCheck %s --check-prefix=ASYNCVOTES
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-gathers=async tensor-core-weights=staged narrow-tensor-core-inputs=false" -split-input-file | FileCheck %s --check-prefix=STAGED
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-gathers=async tensor-core-weights=staged narrow-tensor-core-inputs=false" -split-input-file | awk "/gpu.binary @tensor_core_conv/ && !seen++" | grep -o "ld.global.v4.b32\|ld.shared.v4.b32\|cp.async.cg" | sort | uniq -c | FileCheck %s --check-prefix=STAGEDCOUNT
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 tensor-core-weights=staged" 2>&1 | FileCheck %s --check-prefix=STAGEDONLY
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-weights=block" -split-input-file | awk "/gpu.binary @tensor_core_conv/ && !seen++" | grep -o "ld.global.v4.b32\|ld.global.v4.b16\|ld.global.v2.b32\|ld.shared.v4.b32\|cp.async.cg\|bar.sync\|cp.async.wait_group" | sort | uniq -c | FileCheck %s --check-prefix=BLOCKCOUNT
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 tensor-core-weights=block neighbour-masks=false" 2>&1 | FileCheck %s --check-prefix=BLOCKVOTES
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-weights=block tensor-core-block-warps=8" -split-input-file | awk "/gpu.binary @tensor_core_conv/ && !seen++" | grep -o "ld.global.v4.b16\|ld.global.v2.b32\|ld.shared.v4.b32\|cp.async.cg\|bar.sync\|maxntid [0-9]*" | sort | uniq -c | FileCheck %s --check-prefix=BLOCK8COUNT
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 tensor-core-block-warps=8" 2>&1 | FileCheck %s --check-prefix=BLOCK8ONLY
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90" -split-input-file | awk "/gpu.binary @tensor_core_conv/ && !seen++" | grep -o "ld.global.v4.b16\|ld.global.v4.b32\|cvt.rn.f16.f32" | sort | uniq -c | FileCheck %s --check-prefix=NARROW
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 narrow-tensor-core-inputs=false" -split-input-file | awk "/gpu.binary @tensor_core_conv/ && !seen++" | grep -o "ld.global.v4.b16\|ld.global.v4.b32\|cvt.rn.f16.f32" | sort | uniq -c | FileCheck %s --check-prefix=WIDE
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90" -split-input-file | FileCheck %s --check-prefix=NARROWSTORE
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 narrow-tensor-core-inputs=false" -split-input-file | FileCheck %s --check-prefix=WIDESTORE
// RUN: scn-opt %s --scn-graph-pipeline="plan-target=cuda" -split-input-file | FileCheck %s --check-prefix=F32
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_80" -split-input-file | awk "/gpu.binary @tensor_core_conv/ && !seen++" | grep -o "prefetch.L1\|ld.global[.a-z0-9]*" | head -3 | FileCheck %s --check-prefix=PREFETCH
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-weights=block" -split-input-file | awk "/gpu.binary @tensor_core_conv/ && !seen++" | grep -o "prefetch.L1\|ld.global[.a-z0-9]*" | head -3 | FileCheck %s --check-prefix=PREFETCH
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_80 tensor-core-prefetch=false" -split-input-file | awk "/gpu.binary @tensor_core_conv/ && !seen++" | grep -o "prefetch.L1\|ld.global[.a-z0-9]*" | head -3 | FileCheck %s --check-prefix=NOPREFETCH
// RUN: not scn-opt %s --scn-cuda-pipeline="tensor-core-weights=shared" 2>&1 | FileCheck %s --check-prefix=F32SHARED
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 tensor-core-weights=shared shared-memory-bytes=300000" 2>&1 | FileCheck %s --check-prefix=TOOMUCH
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_75" 2>&1 | FileCheck %s --check-prefix=SM75
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f8" 2>&1 | FileCheck %s --check-prefix=F8
// RUN: not scn-opt %s --scn-cuda-pipeline="tensor-core-rows=32" 2>&1 | FileCheck %s --check-prefix=F32ROWS
// RUN: not scn-opt %s --scn-cuda-pipeline="tensor-core-columns=128" 2>&1 | FileCheck %s --check-prefix=F32COLUMNS
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_80 tensor-core-columns=16" -split-input-file | FileCheck %s --check-prefix=COLUMNS16
// RUN: not scn-opt %s --scn-cuda-pipeline="neighbour-masks=false" 2>&1 | FileCheck %s --check-prefix=F32MASKS
// RUN: not scn-opt %s --scn-graph-pipeline --scn-plan-dataflow --convert-scn-to-cpu 2>&1 -split-input-file | FileCheck %s --check-prefix=CPU

// CHECK: llvm.func @main(
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @main_kernel_{{[0-9]+}}::@main_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NOT: __scn_{{mma|warp}}
// CHECK-COUNT-4: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-NOT: mma.sync
// CHECK: llvm.func @cpu(
// ROWS32-COUNT-8: mma.sync.aligned.m16n8k16
// ROWS32-NOT: mma.sync
// ROWS32: llvm.func @cpu(
// ROWS64-COUNT-16: mma.sync.aligned.m16n8k16
// ROWS64-NOT: mma.sync
// ROWS64: llvm.func @cpu(
// BF16-COUNT-4: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// tf32 (fp32 rounded to 10 bits of mantissa, f32's range): m16n8k8, two k
// steps per block of 16 input channels, so 8 mmas for the 16 -> 32 layer.
// TF32-LABEL: llvm.func @main(
// TF32-COUNT-8: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// TF32-NOT: mma.sync
// TF32: llvm.func @cpu(
// Row tiles without a neighbour at an offset skip it: each row tile's warp
// mask of neighbour offsets (27 <= 32 bits) is an OR over the lanes, one
// redux per row tile before the offset loop, and no vote inside it.
// BF16-COUNT-1: redux.sync.or.b32
// BF16-NOT: vote.sync
// The lanes read their rows' masks from the runtime (scn_cg_row_masks, in
// the row order), one word a row, not from the rows' 27 table entries.
// MASKS: llvm.func @scn_cg_gpu_row_masks(
// MASKS: llvm.call @scn_cg_gpu_row_order(
// MASKS: llvm.call @scn_cg_gpu_row_masks(
// NOMASKS: llvm.call @scn_cg_gpu_row_order(
// NOMASKS-NOT: scn_cg_gpu_row_masks
// neighbour-masks=false: a vote per row tile in every offset step instead.
// VOTES-LABEL: llvm.func @main(
// VOTES-NOT: redux.sync
// VOTES-COUNT-1: vote.sync.any.pred
// VOTES-NOT: redux.sync
// tensor-core-weights=shared: the 16 -> 32 layer's blocks of 16 warps
// (.maxntid 512 caps ptxas at 128 registers) ask for 27 x 16 x 32 x 2 =
// 27648 bytes of dynamic shared memory, sized by scn_cg_gpu_resident_blocks on
// the host; each block copies its weights with 16-byte stores, waits at one
// barrier, and its warps read B fragments from shared memory (2 loads of
// 16 bytes per block of 16 input channels), not from global memory.
// The host call is under the codegen prefix, so the run's stream is not
// waited for before it (scn-gpu-async-chain).
// SHARED-LABEL: llvm.func @main(
// SHARED: llvm.call @scn_cg_gpu_resident_blocks(
// SHARED-NOT: mgpuStreamSynchronize
// SHARED: gpu.launch_func
// SHARED-SAME: dynamic_shared_memory_size
// SHARED: .maxntid 512, 1, 1
// SHARED-SAME: st.shared.v4.b32
// SHARED-SAME: bar.sync {{(\\09)?}}0;
// SHARED-SAME: ld.shared.v4.b32
// SHARED-SAME: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// tensor-core-gathers=async: each lane copies its two rows' 16 channels
// (one 16-byte chunk each) into the warp's stages by cp.async (zeros for a
// missing neighbour: source size 0), 2 offsets ahead in the prologue and 1
// in the loop, a group per offset, and waits for all but the 2 newest
// groups before an offset's mmas read it back from shared memory. f16
// activations copy 8-byte chunks (cp.async.ca: .cg takes 16 only).
// ASYNC-LABEL: llvm.func @main(
// ASYNC: gpu.launch_func {{.*}}@tensor_core_conv::@tensor_core_conv {{.*}}dynamic_shared_memory_size
// ASYNC: cp.async.cg.shared.global [%{{[a-z0-9]+}}], [%{{[a-z0-9]+}}], 16, %{{[a-z0-9]+}};
// ASYNC-SAME: cp.async.cg.shared.global [%{{[a-z0-9]+}}], [%{{[a-z0-9]+}}], 16, %{{[a-z0-9]+}};
// ASYNC-SAME: cp.async.commit_group;
// ASYNC-SAME: cp.async.wait_group {{(\\09)?}}2;
// ASYNC-SAME: ld.shared.v4.b32
// ASYNC-SAME: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// f16 activations (4 stages) copy 8-byte chunks; so do the default's (3
// stages), as the 16 rows of %y, which only the tensor-core convolution
// reads, are stored in f16 (scn-plan-dataflow's storage_type).
// ASYNC16-LABEL: llvm.func @main(
// ASYNC16: cp.async.ca.shared.global [%{{[a-z0-9]+}}], [%{{[a-z0-9]+}}], 8, %{{[a-z0-9]+}};
// ASYNC16-SAME: cp.async.wait_group {{(\\09)?}}3;
// ASYNC16-SAME: ld.shared.v2.b32
// No kernel calls a function its PTX does not define: the driver would
// refuse to load it. (A scalar math.absf in the f16 range checks became
// libdevice's __nv_fabsf, unresolved, once the kernels' constants were
// sunk into them.)
// NOEXTERN-NOT: .extern .func
// ASYNCNARROW-LABEL: llvm.func @main(
// ASYNCNARROW: cp.async.ca.shared.global [%{{[a-z0-9]+}}], [%{{[a-z0-9]+}}], 8, %{{[a-z0-9]+}};
// ASYNCNARROW-SAME: cp.async.wait_group {{(\\09)?}}2;
// ASYNCNARROW-SAME: ld.shared.v2.b32
// narrow-tensor-core-inputs (on by default): the rows of %y are stored in
// f16 by the SIMT convolution that makes them (its kernel rounds them),
// and the tensor-core kernel gathers them as 8-byte loads and converts
// nothing; with it off it gathers f32 rows (16-byte loads) and rounds
// every element itself (8 cvt a lane: 2 rows x 4 channels).
// (B's two 16-byte loads either way.)
// NARROW-NOT: cvt.rn.f16.f32
// NARROW: {{^ *}}2 ld.global.v4.b16
// NARROW: {{^ *}}2 ld.global.v4.b32
// WIDE: {{^ *}}8 cvt.rn.f16.f32
// WIDE-NOT: ld.global.v4.b16
// WIDE: {{^ *}}4 ld.global.v4.b32
// NARROWSTORE-LABEL: llvm.func @main(
// (4 channels a thread: pairs rounded together, one 8-byte store a row.)
// NARROWSTORE: gpu.binary @main_kernel{{.*}}cvt.rn.f16x2.f32{{.*}}st.global.v2.b32
// WIDESTORE-NOT: cvt.rn.f16x2.f32{{.*}}st.global.v2.b32
// BADGATHERS: tensor-core-gathers=later needs element-type f16, bf16 or tf32 and registers or async
// STAGESONLY: tensor-core-stages=3 needs tensor-core-gathers=async and 2 to 8 stages
// tensor-core-weights=staged: each lane copies its B fragments of an
// offset (16 -> 32 f16: two 16-byte chunks) into the stage too, with the
// two input chunks, and reads them back from shared memory (no global
// loads of B in the kernel).
// STAGED-LABEL: llvm.func @main(
// STAGED: cp.async.cg.shared.global
// STAGED-SAME: cp.async.cg.shared.global
// STAGED-SAME: cp.async.cg.shared.global
// STAGED-SAME: cp.async.cg.shared.global
// STAGED-SAME: cp.async.commit_group;
// STAGED-SAME: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// The kernel's instructions of these kinds, counted: 2 input and 2 B
// chunks in each of 3 places (2 prologue issues, 1 in the loop), and the
// 2 + 2 read back; no 16-byte global load (with global weights, B's 2).
// STAGEDCOUNT: {{^ *}}12 cp.async.cg
// STAGEDCOUNT-NOT: ld.global.v4.b32
// STAGEDCOUNT: {{^ *}}4 ld.shared.v4.b32
// STAGEDONLY: tensor-core-weights=staged copies the weights into the stages of tensor-core-gathers=async, which it needs
// tensor-core-weights=block: the 128 threads of a block copy each
// offset's weights (16 -> 32 f16: 1 KiB, 64 chunks of 16 bytes, so one
// guarded copy a thread) in the prologue and in the loop; a barrier after
// the warps publish their masks and one per offset, after waiting for its
// copies; B comes from shared memory (2 loads, and 1 of the 4 warps'
// masks), only the A gathers from global memory (the f16 rows that only
// tensor cores read: two 8-byte loads, of f16 as stored, so two words
// each), one compute ahead, so in the prologue's issue and in the loop's.
// BLOCKCOUNT: {{^ *}}2 bar.sync
// BLOCKCOUNT-NEXT: {{^ *}}2 cp.async.cg
// BLOCKCOUNT-NEXT: {{^ *}}1 cp.async.wait_group
// BLOCKCOUNT-NEXT: {{^ *}}4 ld.global.v2.b32
// BLOCKCOUNT-NEXT: {{^ *}}3 ld.shared.v4.b32
// tensor-core-block-warps=8: blocks of 256 threads (one guarded copy a
// thread still), the same barriers, and 8 warps' masks (2 loads).
// BLOCK8COUNT: {{^ *}}2 bar.sync
// BLOCK8COUNT-NEXT: {{^ *}}2 cp.async.cg
// BLOCK8COUNT-NEXT: {{^ *}}4 ld.global.v2.b32
// BLOCK8COUNT-NEXT: {{^ *}}4 ld.shared.v4.b32
// BLOCK8COUNT-NEXT: {{^ *}}1 maxntid 256
// BLOCK8ONLY: scn-cuda-pipeline: tensor-core-block-warps=8 needs tensor-core-weights=block and 4 or 8 warps
// BLOCKVOTES: tensor-core-weights=block runs the offsets of the warps' neighbour masks; it cannot go with neighbour-masks=false
// ASYNCVOTES: tensor-core-gathers=async runs the offsets of the warps' neighbour masks; it cannot go with neighbour-masks=false
// tensor-core-weights=large leaves the 16 x 32 channels of this layer
// (under 64 x 64) with global weights.
// LARGE-LABEL: llvm.func @main(
// LARGE-NOT: scn_cg_gpu_resident_blocks
// LARGE: llvm.func @cpu(
// TOOMUCH: shared-memory-bytes=300000 is not 0 (the chip's) or up to 232448
// F32SHARED: tensor-core-weights=shared needs element-type f16, bf16 or tf32 and auto, global, shared, large, staged or block
// EMU-LABEL: llvm.func @main(
// EMU-NOT: gpu.
// EMU-NOT: mma
// EMU: llvm.return
// Without f16, the CUDA plan has no tensor-core kernels.
// F32-LABEL: func.func @main
// F32-NOT: tensor_core
// F32-LABEL: func.func @cpu
// SM75: element-type=f16 runs on mma.sync, which needs sm_80 or newer, not sm_75
// F8: element-type=f8 is not one of f32, f16, bf16
// F32ROWS: tensor-core-rows=32 needs element-type f16, bf16 or tf32 and 16, 32 or 64 rows
// F32COLUMNS: tensor-core-columns=128 needs element-type f16, bf16 or tf32 and 16, 32, 64 or 128
// tensor-core-columns=16: the 16 -> 32 layer's warps take 16 channels, two
// column tiles of 2 mmas (8 channels each) a k step.
// COLUMNS16-LABEL: llvm.func @main(
// COLUMNS16-COUNT-2: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// COLUMNS16-NOT: mma.sync
// COLUMNS16: llvm.func @cpu(
// F32MASKS: neighbour-masks=false is for tensor-core kernels (element-type f16, bf16 or tf32)
func.func @main(%c: tensor<?x4xi64> {scn.name = "coords"}, %f: tensor<?x1xf32> {scn.name = "features"})
    -> (tensor<?x32xf32> {scn.name = "output"}) {
  %w0 = arith.constant dense<0.5> : tensor<27x1x1x16xf32>
  %w1 = arith.constant dense<0.25> : tensor<27x1x16x32xf32>
  %s, %x = scn.input %c, %f {mode = 4 : i64} : tensor<?x4xi64>, tensor<?x1xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x1xf32>
  %y = scn.submanifold_conv %x, %w0 on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x1xf32>, tensor<27x1x1x16xf32>, !scn.sites<3, [32, 32, 32]>
  %z = scn.submanifold_conv %y, %w1 on %s {filter_size = array<i64: 3, 3, 3>, epilogue = [#scn.step<relu>]} : tensor<?x16xf32>, tensor<27x1x16x32xf32>, !scn.sites<3, [32, 32, 32]>
  return %z : tensor<?x32xf32>
}

// -----

// CPU: 'scn.submanifold_conv' op has dataflow "tensor_core", which only the CUDA target (convert-scn-to-gpu) lowers
func.func @cpu(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// A warp first prefetches its rows' lines of the row table (scn_cg_row_table:
// the table's rows in row order, whose addresses need no load), then loads
// its two rows' masks: no load of the row order stands before the table
// entries any more (the writes read it).
// PREFETCH: prefetch.L1
// PREFETCH-NEXT: ld.global.b32
// PREFETCH-NEXT: ld.global.b32
// With tensor-core-prefetch=false (scn-compile --tensor-core-prefetch=false,
// for the GPU check's comparison) the masks' loads come first.
// NOPREFETCH-NOT: prefetch.L1
// NOPREFETCH: ld.global.b32
// NOPREFETCH-NEXT: ld.global.b32
