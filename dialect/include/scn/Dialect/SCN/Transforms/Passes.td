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
    another value becomes a `residual` step.

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

#endif // SCN_DIALECT_SCN_TRANSFORMS_PASSES_TD
