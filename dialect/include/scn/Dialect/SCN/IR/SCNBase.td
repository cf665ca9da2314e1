//===- SCNBase.td - scn dialect definition and base classes -*- tablegen -*-===//
//
// The scn dialect describes Submanifold Sparse Convolutional Networks with
// explicit geometry: active-site sets and kernel maps are SSA values, features
// are builtin tensors with one row per active site.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_DIALECT_SCN_IR_SCNBASE_TD
#define SCN_DIALECT_SCN_IR_SCNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def SCN_Dialect : Dialect {
  let name = "scn";
  let cppNamespace = "::scn";
  let summary = "Submanifold sparse convolutional networks with explicit geometry";
  let description = [{
    The `scn` dialect models the networks of the SparseConvNet library.
    SparseConvNet hides the sparse geometry of a network (the active sites at
    each spatial size and the rulebooks between them) in a mutable `Metadata`
    object. Here the geometry is explicit:

    * `!scn.sites<D, [s0, ..., sD-1]>` is the set of active sites at one scale,
      with the spatial size in the type, so that SparseConvNet's size
      arithmetic is checked by the verifier;
    * features are builtin tensors `tensor<?xCxf32>`, one row per active site
      of the sites value that produced them;
    * `!scn.kmap` is a kernel map (rulebook) between two site sets.

    Sharing of geometry between layers is therefore visible to CSE and to the
    `scn-materialize-kernel-maps` pass, and SparseConvNet's run-time errors
    (a deconvolution that does not match a convolution, a channel mismatch)
    become verifier errors.

    ```mlir
    %s, %x = scn.input %coords, %feats {mode = 4 : i64}
        : tensor<?x3xi64>, tensor<?x1xf32> -> !scn.sites<2, [87, 87]>, tensor<?x1xf32>
    %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>}
        : tensor<?x1xf32>, tensor<9x1x1x8xf32>, !scn.sites<2, [87, 87]>
    ```
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasCanonicalizer = 0;
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::math::MathDialect"];
}

class SCN_Op<string mnemonic, list<Trait> traits = []>
    : Op<SCN_Dialect, mnemonic, traits>;

class SCN_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<SCN_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

class SCN_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<SCN_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // SCN_DIALECT_SCN_IR_SCNBASE_TD
