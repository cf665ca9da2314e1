//===- Passes.td - scn IR-to-IR passes ----------------------*- tablegen -*-===//

#ifndef SCN_DIALECT_SCN_TRANSFORMS_PASSES_TD
#define SCN_DIALECT_SCN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SCNFoldBatchNorm : Pass<"scn-fold-batchnorm"> {
  let summary = "Fold inference batch norm into the constant weights of the "
                "producing convolution or linear op";
  let description = [{
    An inference `scn.batch_norm` whose input is the only use of a
    convolution or `scn.linear` with constant weights (and a constant bias or
    none), and whose own parameters are constant, is folded:
    `W'[.., o] = W[.., o] * g[o]`, `b'[o] = (b[o] - mean[o]) * g[o] + beta[o]`
    with `g = weight / sqrt(var + eps)`. The batch norm's leakiness remains as
    a `scn.relu` (leakiness 0) or `scn.leaky_relu`. Batch norms in training
    mode, with non-constant operands, or after an op with a fused epilogue are
    left alone (`scn-fuse-epilogue` handles them as an affine step).

    Before:
    ```mlir
    %w = arith.constant dense<...> : tensor<9x1x1x8xf32>
    %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>} : ...
    %z = scn.batch_norm %y, %m, %v weight(%g : tensor<8xf32>) bias(%b : tensor<8xf32>)
        {leakiness = 0.0 : f64} : tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>
    ```
    After:
    ```mlir
    %w2 = arith.constant dense<...> : tensor<9x1x1x8xf32>
    %b2 = arith.constant dense<...> : tensor<8xf32>
    %y = scn.submanifold_conv %x, %w2 on %s bias(%b2 : tensor<8xf32>) ... 
    %z = scn.relu %y : tensor<?x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SCNFuseEpilogue : Pass<"scn-fuse-epilogue"> {
  let summary = "Fuse batch norm, activations and residual adds into the "
                "producing convolution or linear op";
  let description = [{
    Rewrites chains `conv -> batch_norm -> activation -> add` whose
    intermediate values have one use into one op with an `epilogue` list of
    `#scn.step`s, so the kernel generators compute each output row once, in
    registers, and write it once. An inference batch norm becomes an `affine`
    step whose scale and shift are computed (and constant-folded when the
    parameters are constant) with `arith` ops on `[C]` tensors; its leakiness
    becomes a `relu` or `leaky_relu` step. `scn.add` of the op's result and
    another value becomes a `residual` step. A `scn.concat` operand that is
    the only use of such an op is listed in the concat's `fused_operands`:
    the op writes its rows straight into its slice of the concatenation.

    A batch norm whose input other ops read too (SparseConvNet's residual
    sums: the next block's shortcut and, batch-normed, its convolution's
    input) fuses after a `tap` step: the op's second result keeps the rows
    as they were, for the other readers, and one kernel writes both
    (`taps`, on by default).

    Before:
    ```mlir
    %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>} : ...
    %r = scn.relu %y : tensor<?x8xf32>
    %z = scn.add %r, %skip : tensor<?x8xf32>
    ```
    After:
    ```mlir
    %z = scn.submanifold_conv %x, %w on %s epilogue(%skip : tensor<?x8xf32>)
        {epilogue = [#scn.step<relu>, #scn.step<residual>], filter_size = array<i64: 3, 3>} : ...
    ```
  }];
  let options = [
    Option<"taps", "taps", "bool", /*default=*/"true",
           "Fuse a batch norm of rows that other ops read too after a tap step "
           "(false: it stays a kernel of its own)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SCNMaterializeKernelMaps : Pass<"scn-materialize-kernel-maps"> {
  let summary = "Give every convolution and pooling op an explicit, shared "
                "kernel map";
  let description = [{
    Every op that reads a kernel map gets a `map(...)` operand produced by
    `scn.kernel_map`. Ops that need the same map (same kind, site pair,
    filter size and stride) share one value, so a network builds each
    rulebook once; a deconvolution or unpooling uses the strided map of its
    downsampling step, read transposed. This is SparseConvNet's rulebook
    cache, decided at compile time. The map is placed right after the later
    of its two sites values.

    Before:
    ```mlir
    %a = scn.submanifold_conv %x, %w1 on %s {filter_size = array<i64: 3, 3>} : ...
    %b = scn.submanifold_conv %a, %w2 on %s {filter_size = array<i64: 3, 3>} : ...
    ```
    After:
    ```mlir
    %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>,
        filter_stride = array<i64: 1, 1>} : ...
    %a = scn.submanifold_conv %x, %w1 on %s map(%k) {filter_size = array<i64: 3, 3>} : ...
    %b = scn.submanifold_conv %a, %w2 on %s map(%k) {filter_size = array<i64: 3, 3>} : ...
    ```
  }];
}

def SCNLinearAsConvolution : Pass<"scn-linear-as-convolution"> {
  let summary = "NetworkInNetwork layers as 1x...x1 submanifold convolutions, for "
                "the tensor-core kernels";
  let description = [{
    An `scn.linear` is a submanifold convolution of filter size 1 on the
    sites its rows are on: each output row is its own input row times the
    weight, plus the bias and the epilogue. The CUDA pipeline rewrites the
    ones whose input and output channels are multiples of `multiple` (the
    tensor cores' 16) and whose rows are f32 on sites the verifier can trace
    (`scn::getSitesOf`), so that they run on tensor cores instead of a SIMT
    kernel: W1's four decoder shortcuts (64 -> 32 up to 256 -> 128). Their
    kernel map, each row itself, is built like any other. Bias, epilogue
    (taps included) and the op's other attributes are kept.

    Before:
    ```mlir
    %y = scn.linear %x, %w bias(%b : tensor<32xf32>) : tensor<?x64xf32>, tensor<64x32xf32>
    ```
    After:
    ```mlir
    %w4 = tensor.expand_shape %w [[0, 1, 2], [3]] output_shape [1, 1, 64, 32]
        : tensor<64x32xf32> into tensor<1x1x64x32xf32>
    %y = scn.submanifold_conv %x, %w4 on %s bias(%b : tensor<32xf32>)
        {filter_size = array<i64: 1, 1, 1>} : ...
    ```
  }];
  let options = [
    Option<"multiple", "multiple", "int64_t", /*default=*/"16",
           "Rewrite layers whose input and output channels are multiples of this">,
  ];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def SCNHoistSiteSets : Pass<"scn-hoist-site-sets"> {
  let summary = "Move every derived site set right after the set it is derived from";
  let description = [{
    `scn.downsample` and `scn.full_sites` move up, in program order, to
    right after the op that defines their input sites (and after the site
    sets already moved there), so that a network's whole pyramid of sets is
    built before its first layer. On the GPU a derived set leaves its site
    count on the device until the host asks for it (runtime/lib/CUDA/
    DeviceSites.h); with the pyramid first, the first count asked reads all
    of them in one wait, which the GPU spends on a few small geometry
    kernels rather than on the layers queued before. Kernel maps stay where
    `scn-materialize-kernel-maps` put them: the host does not wait for them.
    Only ops of the same block move; the ops are pure.

    Before:
    ```mlir
    %s, %x = scn.input ...
    %k0 = scn.kernel_map submanifold %s, %s ...
    %a = scn.submanifold_conv %x, %w on %s map(%k0) ...
    %d = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} ...
    ```
    After:
    ```mlir
    %s, %x = scn.input ...
    %d = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} ...
    %k0 = scn.kernel_map submanifold %s, %s ...
    %a = scn.submanifold_conv %x, %w on %s map(%k0) ...
    ```

    With `at-first-use`, the whole pyramid moves instead to right before the
    first op other than a derived set that uses one of the derived sets (in
    a UNet, the strided map or convolution at the end of level 0): its
    counts still cost one wait, but level 0's maps and layers are queued
    before it. With the GPU's geometry on a stream of its own
    (runtime/lib/CUDA/GeometryStream.cpp), a layer waits for the geometry
    queued before its launch: the first layer then waits for the input set
    and level 0's map only, and the host's wait for the counts overlaps the
    layers of level 0. (On one stream the wait would drain them: for
    comparisons.) Sets derived from a value defined after that op stay
    where they are.
  }];
  let options = [
    Option<"atFirstUse", "at-first-use", "bool", /*default=*/"false",
           "The whole pyramid right before the network first uses a derived set, "
           "after level 0's maps and layers">,
  ];
}

def SCNPlanDataflow : Pass<"scn-plan-dataflow"> {
  let summary = "Choose the kernel schedule of every convolution and record it "
                "as attributes";
  let description = [{
    Per convolution and `scn.linear`, from its channel counts, filter volume
    and the target's vector width, chooses the schedule the code generators
    follow and writes it on the op, where it can be read and overridden
    (ops that already carry a value keep it):

    * `dataflow`: `"output_stationary"`: each output row is computed in
      registers over the kernel map and written once; or
      `"weight_stationary"` (layers with at least `weight-stationary-min-
      channels` input and output channels per group, and a kernel map):
      offset by offset, tiles of (input, output) pairs share each weight
      load and add into their output rows, the epilogue runs last (on the
      CPU, a block of output rows at a time). Output-stationary row tiles
      waste multiply-adds on neighbours only some rows have; measured on
      the LiDAR scan with maps prebuilt, 16x16 layers run 1.3-1.5x faster
      weight-stationary and 32x32 1.2-1.4x, and the room scan's UNet
      (16-112 channels) 1.2-1.3x with every layer of 32 channels or more
      weight-stationary. The kernel reads the map's pair lists, which a
      run builds once a map: they cost a single 16x16 layer more than it
      saves (W3 C=16 end to end 22 -> 27-34 ms) and a single 32x32 one
      about as much (W3 C=32 0.9x), hence 32, and 64
      (`weight-stationary-min-channels-alone`) for a convolution alone on
      its map (bench/cpu/README.md, "Weight-stationary blocks");
    * `channel_tile`: output channels per vector accumulator: the largest
      power of two (at least 4) dividing the group's output channels and at
      most `max-channel-tile`, else the largest divisor at most that (tiles
      of 20-28 lanes were 4x slower than 16 on the room scan's UNet);
    * `rows_per_tile`: output rows (pairs, weight-stationary) that share
      every weight vector load. Output-stationary, more rows reuse each
      weight load more but waste more multiply-adds on neighbours that only
      some rows of the tile have: measured on the LiDAR and room scans, 4
      pays for 128x128-channel layers and 2 for narrower ones
      (bench/cpu/README.md); weight-stationary tiles waste nothing and take
      8.

    With `target=cuda` every such op gets `dataflow = "channel_parallel"`,
    `channel_tile = 1` and `rows_per_tile` 4 (or `rows-per-tile`): the
    output-stationary kernel with one parallel iteration (a GPU thread) per
    (row tile, output channel), channels fastest, so that the threads of a
    warp load neighbouring weights and the same input rows, and each weight
    load serves the tile's rows. With `tensor-cores`, convolutions with a
    kernel map, one group, and input and output channels in multiples of 16
    get `dataflow = "tensor_core"` instead: warps of mma.sync m16n8k16 tiles
    with `tensor-core-type` multiplicands (`mma_type`, f16 or bf16) and fp32
    accumulators, each warp `rows_per_tile` rows x `channel_tile` output
    channels: the widest of 64, 32, 16 that divides them (one gathered
    input fragment serves channel_tile / 8 mmas), and 16 rows, one row tile
    (the fastest on an H200 for W1: 32 and 64 rows share each weight
    fragment between row tiles but need more registers), or
    `tensor-core-rows`. `scn.input` and `scn.bl_input` in modes 3
    and 4 (summed rows) get `input_merge = "atomic"`: their rows are added
    into the sites in parallel with atomic adds, a kernel, instead of a
    sequential scatter, which would run on the host. With f16 or bf16
    tensor cores and f32 activations (`narrow-tensor-core-inputs`), an op
    whose feature rows only tensor-core convolutions read, as their input,
    gets `storage_type` = the multiplicand type: the GPU lowering stores
    its rows in it, which the convolutions would round them to anyway
    (the same results, half the bytes); rows anything else reads, or that
    a weight-stationary convolution accumulates in, stay f32.

    Before:
    ```mlir
    %y = scn.submanifold_conv %x, %w on %s map(%k) {filter_size = array<i64: 3, 3, 3>} : ...
    ```
    After:
    ```mlir
    %y = scn.submanifold_conv %x, %w on %s map(%k) {channel_tile = 32 : i64,
        dataflow = "output_stationary", filter_size = array<i64: 3, 3, 3>,
        rows_per_tile = 2 : i64} : ...
    ```
  }];
  let options = [
    Option<"maxChannelTile", "max-channel-tile", "int64_t", /*default=*/"32",
           "Widest vector of output channels (lanes)">,
    Option<"rowsPerTile", "rows-per-tile", "int64_t", /*default=*/"0",
           "Output rows that share weight loads (0: 4 for layers with at "
           "least 8192 weights per offset and group, else 2)">,
    Option<"weightStationaryMinChannels", "weight-stationary-min-channels",
           "int64_t", /*default=*/"32",
           "Input and output channels per group from which convolutions "
           "with a kernel map are weight-stationary (0: never)">,
    Option<"weightStationaryMinChannelsAlone",
           "weight-stationary-min-channels-alone", "int64_t", /*default=*/"64",
           "The same for a convolution that no other op reads its kernel "
           "map with (the map's pair lists are built for it alone)">,
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "What the kernels run on: cpu or cuda">,
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"false",
           "cuda: convolutions with a kernel map, one group and channels in "
           "multiples of 16 run on tensor cores (fp16 inputs, fp32 "
           "accumulators): dataflow = \"tensor_core\"">,
    Option<"tensorCoreType", "tensor-core-type", "std::string",
           /*default=*/"\"f16\"",
           "cuda with tensor-cores: the multiplicand type, f16 or bf16 "
           "(mma.m16n8k16), or tf32 (fp32 rounded to 10 bits of mantissa, "
           "mma.m16n8k8) (mma_type)">,
    Option<"tensorCoreColumns", "tensor-core-columns", "int64_t", /*default=*/"0",
           "cuda with tensor-cores: output channels of a warp at most, 16, 32, "
           "64 or 128: the widest of those up to this that divides the layer's "
           "(channel_tile; 0: 64, which keeps the accumulators at 32 registers "
           "a lane); 128 gathers each input row once for 128 channels">,
    Option<"tensorCoreRows", "tensor-core-rows", "int64_t", /*default=*/"0",
           "cuda with tensor-cores: output rows of a warp, 16, 32 or 64 "
           "(rows_per_tile; 0: 16)">,
    Option<"tensorCoreLoads", "tensor-core-loads", "int64_t", /*default=*/"0",
           "cuda with tensor-cores: 16-byte loads a lane issues before the "
           "mmas that use them (loads_in_flight; 0: the lowering's 12). Fewer "
           "take fewer registers (more warps an SM), more overlap more loads">,
    Option<"tensorCoreWeights", "tensor-core-weights", "std::string",
           /*default=*/"\"global\"",
           "cuda with tensor-cores: where warps read the weights, global (each "
           "warp its own fragments), shared (a copy per block of the layer's "
           "weights for its output channels, when they fit "
           "tensor-core-shared-bytes; weights_memory), large (shared for "
           "layers of tensor-core-shared-min-weights or more), staged (with "
           "tensor-core-gathers=async: each lane's fragments of an offset "
           "copied into its warp's gather stages), or block (each offset's "
           "weights copied once per block of 4 warps, or 8 with "
           "tensor-core-block-warps, into shared stages, for "
           "filters of at most 32 offsets)">,
    Option<"tensorCoreBlockWarps", "tensor-core-block-warps", "int64_t",
           /*default=*/"4",
           "cuda with tensor-core-weights=block: warps of a block, 4 or 8 "
           "(block_warps): 8 share each offset's copy among 128 rows instead "
           "of 64, so fewer copies cross L2, at the price of a wider union of "
           "offsets and barriers among more warps">,
    Option<"tensorCoreClusterBlocks", "tensor-core-cluster-blocks", "int64_t",
           /*default=*/"1",
           "cuda with block weights on wgmma (sm_90a, blocks of 4 warps): "
           "blocks of a thread-block cluster, 1 or 2 (cluster_blocks): with 2, "
           "two blocks of adjacent row blocks run the union of their offsets "
           "and each copies half of an offset's weights into both blocks' "
           "stages (a multicast bulk copy), so each copy crosses L2 once per "
           "128 rows, as blocks of 8 warps do, while each block keeps its "
           "registers and occupancy">,
    Option<"tensorCoreSharedBytes", "tensor-core-shared-bytes", "int64_t",
           /*default=*/"232448",
           "cuda with shared tensor-core weights or async gathers: the dynamic "
           "shared memory a block may have (the smallest over the chips; sm_90: 232448, sm_80: "
           "166912, sm_86/89/120: 101376)">,
    Option<"tensorCoreSharedMinWeights", "tensor-core-shared-min-weights", "int64_t",
           /*default=*/"4096",
           "cuda with tensor-core-weights=large: the input x output channels "
           "from which a layer's weights go to shared memory (smaller layers "
           "read fewer weight bytes than feature bytes per step, and their "
           "blocks of 16 warps may cost occupancy)">,
    Option<"tensorCoreGathers", "tensor-core-gathers", "std::string",
           /*default=*/"\"registers\"",
           "cuda with tensor-cores: where warps gather their input rows, "
           "registers (loads in flight held in registers) or async (cp.async "
           "into shared-memory stages some offsets ahead, for filters of up "
           "to 32 offsets; gathers, gather_stages)">,
    Option<"narrowTensorCoreInputs", "narrow-tensor-core-inputs", "bool",
           /*default=*/"true",
           "cuda with f16 or bf16 tensor cores and f32 activations: rows that "
           "only tensor-core convolutions read (as their input) are stored in "
           "the multiplicand type, which those convolutions round them to "
           "anyway: half the bytes, the same results (storage_type on the "
           "op that makes them)">,
    Option<"activationBytes", "activation-bytes", "int64_t", /*default=*/"4",
           "cuda: bytes of a stored activation (4: f32, 2: f16/bf16), which "
           "sizes the stages of async gathers">,
    Option<"tensorCoreStages", "tensor-core-stages", "int64_t", /*default=*/"3",
           "cuda with tensor-core-gathers=async: stages of a warp's gathers "
           "(2 to 8; fewer where a block's do not fit tensor-core-shared-bytes)">,
    Option<"tensorCoreWgmma", "tensor-core-wgmma", "bool", /*default=*/"false",
           "cuda for sm_90a: tensor-core ops with block weights, gathers in "
           "registers, f16 or bf16, input channels in multiples of 64 and 64 "
           "output channels a warp multiply by wgmma m64n64k16 "
           "(warpgroup_mma); without it a warpgroup_mma written by hand is "
           "an error">,
    Option<"simtChannelTile", "simt-channel-tile", "int64_t", /*default=*/"0",
           "cuda: output channels of a thread of the SIMT (channel_parallel) "
           "kernels, at most this many that divide the layer's (channel_tile; "
           "0: 4; rows come from rows-per-tile, 0: 4)">,
  ];
}

#endif // SCN_DIALECT_SCN_TRANSFORMS_PASSES_TD
