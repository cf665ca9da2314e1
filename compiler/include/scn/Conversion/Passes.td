//===- Passes.td - scn conversion passes --------------------*- tablegen -*-===//

#ifndef SCN_CONVERSION_PASSES_TD
#define SCN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSCNToCPU : Pass<"convert-scn-to-cpu", "::mlir::ModuleOp"> {
  let summary = "Lower scn ops to loops over buffers plus runtime calls";
  let description = [{
    Geometry ops (`scn.input`, `scn.downsample`, `scn.full_sites`,
    `scn.kernel_map`, ...) become calls to the runtime's codegen ABI
    (`scn/Runtime/Codegen.h`), which owns the site sets and maps of one run.
    Feature ops become loops over buffers: `scf.parallel` over output rows,
    and in each row static loops over filter offsets and input channels that
    accumulate a `vector<T x f32>` tile of output channels in registers
    (gather-GEMM, output-stationary), apply the fused epilogue and store the
    row once. Loop bounds, tile widths and epilogues are specialised per op
    from its static channel counts and filter volume.

    Every function that contains scn ops gets a leading `!llvm.ptr`
    argument: the `scn_run_t` of the invocation. Tensors cross op boundaries
    through `bufferization.to_buffer`/`to_tensor`, so one-shot bufferization
    finishes the job.

    ```mlir
    %y = scn.submanifold_conv %x, %w on %s map(%k) {filter_size = array<i64: 3>} : ...
    // becomes
    %tbl = func.call @scn_cg_neighbors(%run, %k_handle, %c0_i32) : ...
    scf.parallel (%i) = (%c0) to (%n) step (%c1) { ... vector.fma ... vector.store ... }
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"];
}

def SCNFreeBuffersEarly : Pass<"scn-free-buffers-early", "::mlir::func::FuncOp"> {
  let summary = "Move each memref.dealloc right after the last use of its buffer";
  let description = [{
    Upstream buffer deallocation frees the buffers of a straight-line
    function at its end, so every layer's output of a network stays alive
    until the network returns (W1 peaked at 2 GiB). This pass moves each
    `memref.dealloc` in a block to just after the last op of that block that
    uses the buffer or a view of it (uses nested in loops count for the loop
    op). A buffer whose raw pointer is extracted is only passed to runtime
    calls that copy what they need, so the extraction is an ordinary use.

    Before:
    ```mlir
    %a = memref.alloc(%n) : memref<?x8xf32>
    scf.parallel ... { vector.store ..., %a[...] }
    %b = memref.alloc(%n) : memref<?x8xf32>
    scf.parallel ... { ... = vector.load %a[...] ... }
    ... (many layers)
    memref.dealloc %a : memref<?x8xf32>
    return %z
    ```
    After: `memref.dealloc %a` follows the second `scf.parallel`.
  }];
}

def SCNNameAllocationSites : Pass<"scn-name-allocation-sites", "::mlir::ModuleOp"> {
  let summary = "Tell the runtime which op each host buffer is allocated for";
  let description = [{
    Before each `memref.alloc` of the host functions (not those of
    `gpu.module`s), a call `scn_cg_allocation_site(label)` with the
    allocation's location as a constant string ("loc(\"net.mlir\":12:8)",
    the scn op the buffer was made for; null for an unknown location). The
    runtime keeps the last label of the calling thread, so that an
    allocation the system refuses ends the call with an out-of-memory error
    that names the op's location (runtime/lib/CPU/GeneratedCall.h). A call
    is a thread-local store.

    Before:
    ```mlir
    %a = memref.alloc(%n) : memref<?x8xf32> loc("net.mlir":12:8)
    ```
    After:
    ```mlir
    %site = llvm.mlir.addressof @__scn_allocation_site_0 : !llvm.ptr
    call @scn_cg_allocation_site(%site) : (!llvm.ptr) -> ()
    %a = memref.alloc(%n) : memref<?x8xf32>
    ```
    It runs after the GPU passes, whose chains of stream work a call in
    between would end.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::func::FuncDialect"];
}

def ConvertSCNToGPU : Pass<"convert-scn-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Lower scn ops to GPU-ready loops over buffers plus runtime calls";
  let description = [{
    The op lowerings of `convert-scn-to-cpu` (same loops, tiles, epilogues
    and runtime calls), with one difference: every runtime array that a loop
    reads (neighbour tables, pair lists, row maps, coordinates) is passed
    through `scn_cg_device_copy`, which returns the run's copy of it in
    memory the GPU can read (made once per run and kept with the geometry
    when the run reuses it). Each top-level `scf.parallel` over rows becomes
    one kernel in `scn-gpu-offload`, after bufferization.

    With `device-geometry` (the default), geometry ops call the
    `scn_cg_gpu_*` functions instead (every op has one): sets, maps and
    pair lists are built on the GPU and stay there, and no array is
    copied.

    ```mlir
    %tbl = func.call @scn_cg_neighbors(%run, %k, %c0_i32) : ...
    %dev = func.call @scn_cg_device_copy(%run, %tbl, %bytes) : ...
    scf.parallel (%i) = (%c0) to (%n) step (%c1) { ... loads from %dev ... }
    ```
  }];
  let options = [
    Option<"deviceGeometry", "device-geometry", "bool", /*default=*/"true",
           "Build site sets, maps and pair lists on the GPU (false: on the CPU, "
           "with their arrays copied to the GPU once per run)">,
    Option<"emulateWarps", "emulate-warps", "bool", /*default=*/"false",
           "Tensor-core kernels as host loops over the lanes of each warp, "
           "with the mma emulated by the PTX ISA's fragment layout (for "
           "scn-gpu-emulate-on-host: tests without a GPU)">,
    Option<"neighbourMasks", "neighbour-masks", "bool", /*default=*/"true",
           "Tensor-core warps take the offsets they skip from neighbour masks "
           "read before the offset loop (filters of up to 32 offsets); false: "
           "a load and a warp vote in every offset step">,
    Option<"tablePrefetch", "table-prefetch", "bool", /*default=*/"true",
           "Tensor-core warps prefetch their rows' lines of the row table into "
           "L1 (prefetch.L1) before anything else; false: none (for "
           "comparisons)">,
    Option<"activationType", "activation-type", "std::string", /*default=*/"\"f32\"",
           "Element type of the feature rows stored between ops: f32, or f16 / "
           "bf16 (half the bytes; kernels load them as f32 and round their "
           "stores; sums of merged input rows stay f32)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect", "::mlir::gpu::GPUDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::nvgpu::NVGPUDialect",
    "::mlir::NVVM::NVVMDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"];
}

def SCNGPUOffload : Pass<"scn-gpu-offload", "::mlir::ModuleOp"> {
  let summary = "Place buffers in GPU-visible memory and map row loops to kernels";
  let description = [{
    Runs after bufferization of `convert-scn-to-gpu` output, before
    `convert-parallel-loops-to-gpu`:
    - every `memref.alloc` outside a kernel that a kernel or a runtime call
      uses, and every host `memref.alloca` a kernel reads, becomes
      `gpu.alloc host_shared` (CUDA managed memory, so the host code between
      kernels, runtime calls and kernels all read the same buffers) and its
      `memref.dealloc` a `gpu.dealloc`; buffers only host code uses stay
      host memory;
    - buffers that only kernels (and DMA) touch move to device memory;
    - function arguments and constant globals (weights, features) that
      kernels read come, in generated functions, from the runtime
      (`scn_cg_gpu_parameter`: the caller's resident copy or an upload per
      call, released by `scn_cg_gpu_parameter_done` at the return;
      `scn_cg_gpu_constant`: uploaded once); host code that reads them too
      keeps reading the original; otherwise they are copied in (DMA, or
      managed memory when the host reads them too);
    - returned buffers are copied by DMA into ordinary host allocations, so
      callers free them as for the CPU;
    - each top-level `scf.parallel` (multi-dimensional ones collapsed) is
      tiled by `block-size` and mapped to GPU blocks (tiles) and threads
      (rows of a tile); loops nested in it run sequentially in its thread;
    - the mma placeholder calls of tensor-core kernels become
      `nvvm.mma.sync` (scn/Conversion/TensorCores.h);
    - every memref a kernel uses must be GPU memory (a `gpu.alloc`, a
      parameter's device copy, or a view of one), and every raw pointer a
      device array of the runtime, else the pass fails with an error that
      names it.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "Threads per block of each row kernel">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect", "::mlir::scf::SCFDialect"];
}

def SCNGPUAsyncChain : Pass<"scn-gpu-async-chain", "::mlir::ModuleOp"> {
  let summary = "Order a function's GPU work on one stream; wait only where the host needs it";
  let description = [{
    Runs after `gpu-kernel-outlining`, on the host functions that
    `scn-gpu-offload` produced, where every launch is synchronous and every
    allocation, copy and free waits for its own stream. Instead, the GPU work
    of a function between two host synchronizations becomes one chain of
    async ops (one stream, in program order): kernel launches, device
    allocations, copies and frees. The host waits for the chain (`gpu.wait`)
    only before:
    - a host op that reads a buffer the chain writes or may write (every
      memref a kernel takes counts as written), or writes one it reads;
    - a call whose memory effects are unknown (any call but the `scn_cg_*`
      geometry functions, whose buffer arguments are checked like the
      above);
    - an op nested in a host region that holds GPU ops, and the terminator.
    Host code that touches managed memory the chain does not use calls
    `scn_gpu_before_host_access` first, which waits only on GPUs without
    concurrent managed access (where the host must not touch managed memory
    while any kernel runs). Geometry builders run on the runtime's geometry
    stream and fence it before they return (scn_gpu_fence_stream), so that
    every launch, copy or memset queued after them waits for their work on
    the GPU. Anything the pass
    cannot follow waits: a call other than `scn_cg_gpu_*`, a pointer
    argument it cannot trace to a buffer or to runtime-owned memory, an
    effect on a memref yielded by a region; GPU ops of another shape than
    offload's are an error.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::gpu::GPUDialect"];
}

def SCNGPUPrepareParameters
    : Pass<"scn-gpu-prepare-parameters", "::mlir::ModuleOp"> {
  let summary = "Keep what kernels derive from parameters and constants alone across calls";
  let description = [{
    Runs after `scn-gpu-offload`, on functions with a run handle. A kernel
    (a top-level mapped `scf.parallel`) is a preparation when it reads only
    device copies of parameters and constants (`scn_cg_gpu_parameter`,
    `scn_cg_gpu_constant`) and what earlier preparations of its group wrote;
    when its bounds, every other value it takes and the operands of the
    views it reads or writes through are constants or arithmetic on them;
    and when it writes only device buffers (not managed ones) of static
    shape, rank 1 or more, identity layout and whole-byte elements, whose
    every other use (through views, in host code or kernels) is a kernel's
    read or their free: tensor-core weights packed to f16, batch norm's
    scale and shift. Such kernels compute the same values in every call
    while the parameters are the same resident copies.

    The outputs of a group of preparations move into one block from
    `scn_cg_gpu_prepared(run, site, sources, n, bytes, &fill)`, called
    before the group's first output with the device copies the group reads:
    a memref over the whole block, each output a `memref.view` of it at a
    256-byte aligned offset (their allocations and frees go). Each
    preparation's outer loop runs to `fill ? upper bound : lower bound`, so
    when the runtime kept the block from an earlier call with the same
    resident copies its grid is empty and nothing launches (mgpuLaunchKernel
    skips empty grids). `scn_cg_gpu_prepared_done(run, site, block)` before
    each return hands the block back; it takes the block, so
    `scn-gpu-async-chain` waits before it for every kernel that takes a view
    of it. The two host slots the call takes
    (`llvm.alloca`) are marked `scn.host_slot`, which the chain knows no
    GPU op touches.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect"];
}

def SCNGPUEmulateOnHost : Pass<"scn-gpu-emulate-on-host", "::mlir::ModuleOp"> {
  let summary = "Turn scn-gpu-offload's GPU memory ops back into host ones (tests)";
  let description = [{
    For testing the CUDA path without a GPU: after `scn-gpu-offload`,
    `gpu.alloc` (device or host_shared) becomes `memref.alloc`,
    `gpu.memcpy` `memref.copy`, `gpu.dealloc` `memref.dealloc`,
    `gpu.wait` and async tokens disappear, `scn_cg_device_copy` becomes
    `scn_cg_host_copy` (a host copy of exactly the bytes asked for), and the
    device geometry calls `scn_cg_gpu_X` become the CPU runtime's
    `scn_cg_X`. The loops mapped to blocks and
    threads stay `scf.parallel` loops, which the CPU lowering runs with
    OpenMP. Everything the CUDA pipeline decides on the host side
    (placement, copies in and out, frees, tiling, guards of partial blocks)
    and the kernels' arithmetic then run on the CPU, against the same
    references as the CPU path (`scn-compile --target=cuda-emulated`).
    A copy into a null destination (a result buffer that could not be
    allocated, which has failed the run) is skipped, as a GPU run's DMA
    reports the error instead of faulting.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"];
}

def SCNGPUTensorCoreOccupancy
    : Pass<"scn-gpu-tensor-core-occupancy", "::mlir::ModuleOp"> {
  let summary = "The launch shape of the tensor-core kernels: resident blocks an SM, clusters";
  let description = [{
    Runs after `gpu-kernel-outlining`: every outlined tensor-core
    convolution (a kernel named `tensor_core_conv`, as the lowering names
    their launches, or `tensor_core_conv_N` as outlining makes it unique)
    gets `nvvm.minctasm = min-blocks`, which the PTX
    declares as `.minnctapersm`. ptxas then keeps the kernel's registers low
    enough for that many blocks of its `.maxntid` threads an SM, spilling if
    it must. (`ptxas -maxrregcount` does not bind on these kernels: their
    PTX declares `.maxntid`.) The other kernels keep ptxas's choice.
    With `min-blocks` = 0 no kernel gets it.

    A tensor-core kernel that reads its block's rank in a cluster (the
    lowering's `cluster_blocks = 2`, whose two blocks share each offset's
    weights) gets `nvvm.cluster_dim = [2, 1, 1]`, which the PTX declares
    as `.reqnctapercluster 2, 1, 1` and `.explicitcluster`: the driver
    launches its grid (an even number of blocks) in clusters of two with a
    plain launch.
  }];
  let options = [
    Option<"minBlocks", "min-blocks", "int64_t", /*default=*/"0",
           "Resident blocks an SM that each tensor-core kernel must allow (0: ptxas's choice)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::NVVM::NVVMDialect"];
}

#endif // SCN_CONVERSION_PASSES_TD
