// --scn-cuda-pipeline on the hello-world network: the host code is the LLVM
// dialect and calls libscn_runtime (geometry, mgpu* memory); every row loop
// is a gpu.launch_func of a kernel kept as PTX for the chip asked for in a
// gpu.binary. The network's sets and maps (3x3 stride-2 pooling included)
// are built on the GPU (scn_cg_gpu_*); with device-geometry=false they are
// built on the CPU and their arrays copied (scn_cg_device_copy). No GPU,
// driver or ptxas is needed.
// RUN: scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cuda-pipeline | FileCheck %s
// RUN: scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cuda-pipeline=device-geometry=false | FileCheck %s --check-prefix=HOST
// RUN: scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cuda-pipeline="chip=sm_90 features=+ptx80 block-size=256" | FileCheck %s --check-prefix=SM90
// RUN: scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cuda-pipeline=hoist-site-sets=false | FileCheck %s --check-prefix=NOHOIST
// RUN: scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cuda-pipeline=site-sets-at-first-use=true | FileCheck %s --check-prefix=FIRSTUSE
// RUN: not scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cuda-pipeline="hoist-site-sets=false site-sets-at-first-use=true" 2>&1 | FileCheck %s --check-prefix=NEEDSHOIST
// RUN: not scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cuda-pipeline=chip=gfx90a 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cuda-pipeline=simt-channels=3 2>&1 | FileCheck %s --check-prefix=SIMTC
// RUN: not scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cuda-pipeline=simt-rows=17 2>&1 | FileCheck %s --check-prefix=SIMTR
// RUN: not scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cuda-pipeline=tensor-core-loads=6 2>&1 | FileCheck %s --check-prefix=LOADS
// LOADS: scn-cuda-pipeline: tensor-core-loads=6 needs element-type f16, bf16 or tf32 and 1 to 64 loads
// SIMTC: scn-cuda-pipeline: simt-channels=3 is not 1, 2, 4 or 8
// SIMTR: scn-cuda-pipeline: simt-rows=17 is not 0 (the plan's) or 1 to 16

// CHECK-NOT: {{(=|^) *(scn|memref|scf|vector|arith|func|bufferization|omp)\.}}
// CHECK-LABEL: llvm.func @main(%{{.*}}: !llvm.ptr,
// The weights, constants of the network, come from scn_cg_gpu_constant
// (uploaded on first use and kept).
// CHECK: llvm.call @scn_cg_gpu_constant(%arg0,
// The NaN check of the features is the first kernel: it sets the run's
// check word (scn_cg_gpu_check_flag), which scn_run_status reads after the
// run, so no host loop reads the features and nothing waits for it.
// CHECK: %[[FLAG:.*]] = llvm.call @scn_cg_gpu_check_flag(%arg0,
// The GPU work from here to the copy of the result runs on one stream
// (scn-gpu-async-chain): no host wait between the kernels, the geometry
// calls and the frees.
// CHECK: %[[STREAM:.*]] = llvm.call @mgpuStreamCreate()
// CHECK-NOT: mgpuStreamSynchronize
// CHECK: gpu.launch_func <%[[STREAM]] : !llvm.ptr> @main_kernel::@main_kernel {{.*}}, %[[FLAG]] : !llvm.ptr{{[,)]}}
// CHECK-NOT: mgpuStreamSynchronize
// CHECK: llvm.call @scn_cg_gpu_input(
// The derived site sets come first (scn-hoist-site-sets).
// CHECK-NOT: mgpuStreamSynchronize
// CHECK: llvm.call @scn_cg_gpu_downsample(
// CHECK-NOT: mgpuStreamSynchronize
// CHECK: llvm.call @mgpuMemAlloc(%{{.*}}, %[[STREAM]], %{{.*}}) : (i64, !llvm.ptr, i8) -> !llvm.ptr
// CHECK-NOT: mgpuStreamSynchronize
// CHECK: gpu.launch_func <%[[STREAM]] : !llvm.ptr> @main_kernel_{{[0-9]+}}::@main_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) : i64
// CHECK-NOT: mgpuStreamSynchronize
// CHECK: llvm.call @scn_cg_gpu_kernel_map(
// CHECK-NOT: mgpuStreamSynchronize
// CHECK: gpu.launch_func <%[[STREAM]] : !llvm.ptr>
// CHECK-NOT: mgpuStreamSynchronize
// CHECK: llvm.call @mgpuMemFree(%{{.*}}, %[[STREAM]])
// The result is copied out by DMA on the same stream, then the host waits.
// CHECK: llvm.call @mgpuMemcpy(%{{.*}}, %{{.*}}, %{{.*}}, %[[STREAM]])
// CHECK: llvm.call @mgpuStreamSynchronize(%[[STREAM]])
// The features, which the kernels read from a per-call upload, go back.
// CHECK: llvm.call @scn_cg_gpu_parameter_done(%arg0,
// CHECK-NOT: scn_cg_device_copy
// CHECK: gpu.binary @main_kernel {{.*}}#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">{{.*}}assembly = "{{.*}}.target sm_80{{.*}}.entry main_kernel(
// CHECK-NOT: {{(=|^) *(scn|memref|scf|vector|arith|func|bufferization|omp)\.}}

// HOST-LABEL: llvm.func @main(
// HOST: llvm.call @scn_cg_input(
// HOST: llvm.call @scn_cg_device_copy(
// HOST: llvm.call @scn_cg_kernel_map(
// HOST-NOT: {{scn_cg_gpu_(input|bl_input|dense|downsample|full|kernel_map|neighbors|pair|row|num|coords|site|batch)}}

// SM90: llvm.mlir.constant(256 : index)
// SM90: gpu.launch_func
// SM90: gpu.binary {{.*}}chip = "sm_90"{{.*}}.target sm_90

// CHIP: chip 'gfx90a' is not a CUDA architecture

// With hoist-site-sets=false (scn-compile --hoist-site-sets=false, the GPU
// check's comparison) the first downsample stays where the network first
// uses it: after the first level's map and its layers' launches.
// NOHOIST: llvm.call @scn_cg_gpu_input(
// NOHOIST-NOT: scn_cg_gpu_downsample
// NOHOIST: llvm.call @scn_cg_gpu_kernel_map(
// NOHOIST-NOT: scn_cg_gpu_downsample
// NOHOIST: gpu.launch_func
// NOHOIST: llvm.call @scn_cg_gpu_downsample(

// With site-sets-at-first-use=true the whole pyramid is queued together,
// after the first level's map and its layers' launches, right before the
// first map that reads a derived set.
// FIRSTUSE: llvm.call @scn_cg_gpu_input(
// FIRSTUSE-NOT: scn_cg_gpu_downsample
// FIRSTUSE: llvm.call @scn_cg_gpu_kernel_map(
// FIRSTUSE-NOT: scn_cg_gpu_downsample
// FIRSTUSE: gpu.launch_func
// FIRSTUSE-NOT: scn_cg_gpu_kernel_map
// FIRSTUSE: llvm.call @scn_cg_gpu_downsample(
// FIRSTUSE-NOT: {{gpu.launch_func|scn_cg_gpu_kernel_map}}
// FIRSTUSE: llvm.call @scn_cg_gpu_downsample(
// FIRSTUSE-NOT: {{gpu.launch_func|scn_cg_gpu_kernel_map}}
// FIRSTUSE: llvm.call @scn_cg_gpu_downsample(
// FIRSTUSE: llvm.call @scn_cg_gpu_kernel_map(
// NEEDSHOIST: site-sets-at-first-use moves the hoisted pyramid: it needs hoist-site-sets=true
