//===- SCNAttrs.td - scn dialect attributes -----------------*- tablegen -*-===//

#ifndef SCN_DIALECT_SCN_IR_SCNATTRS_TD
#define SCN_DIALECT_SCN_IR_SCNATTRS_TD

include "scn/Dialect/SCN/IR/SCNBase.td"
include "mlir/IR/EnumAttr.td"

/// Which rule a kernel map follows. `submanifold`: output sites equal input
/// sites, centred window; `strided`: a strided convolution or pooling and,
/// read transposed, the deconvolution or unpooling that undoes it; `full`: a
/// full (transposed) convolution onto its full support.
def SCN_KernelMapKindAttr : I32EnumAttr<"KernelMapKind", "kind of kernel map", [
    I32EnumAttrCase<"submanifold", 0>,
    I32EnumAttrCase<"strided", 1>,
    I32EnumAttrCase<"full", 2>]> {
  let cppNamespace = "::scn";
}

def SCN_EpilogueKind : I32EnumAttr<"EpilogueKind", "fused epilogue step", [
    I32EnumAttrCase<"affine", 0>,
    I32EnumAttrCase<"residual", 1>,
    I32EnumAttrCase<"relu", 2>,
    I32EnumAttrCase<"leaky_relu", 3>,
    I32EnumAttrCase<"sigmoid", 4>,
    I32EnumAttrCase<"tanh", 5>,
    I32EnumAttrCase<"elu", 6>,
    I32EnumAttrCase<"selu", 7>,
    I32EnumAttrCase<"tap", 8>]> {
  let cppNamespace = "::scn";
  let genSpecializedAttr = 0;
}

def SCN_EpilogueStepAttr : SCN_Attr<"EpilogueStep", "step"> {
  let summary = "one step of a fused epilogue";
  let description = [{
    A fused conv or linear op computes its accumulator (plus its bias) and
    then applies its epilogue steps in order, before writing the row once:

    * `affine` takes two epilogue operands `scale`, `shift` of shape `[C]`:
      `y = y * scale + shift` (a batch norm that could not be folded);
    * `residual` takes one epilogue operand with the result's type:
      `y = y + r` (SparseConvNet's AddTable);
    * `relu`, `leaky_relu` (with `alpha`), `sigmoid`, `tanh`, `elu`, `selu`:
      the activation, elementwise;
    * `tap` (at most one) writes the row as it stands to the op's second
      result, `tapped`, and the steps after it go on to the first: one
      kernel gives both a value that several ops read (a residual sum) and
      a batch norm of it, instead of a second kernel that reads the rows
      back.

    ```mlir
    [#scn.step<affine>, #scn.step<leaky_relu, 0.1>, #scn.step<residual>]
    [#scn.step<residual>, #scn.step<tap>, #scn.step<affine>, #scn.step<relu>]
    ```
  }];
  let parameters = (ins "::scn::EpilogueKind":$kind,
                        DefaultValuedParameter<"::llvm::APFloat",
                                               "::llvm::APFloat(0.0)">:$alpha);
  let hasCustomAssemblyFormat = 1;
  let extraClassDeclaration = [{
    /// Number of epilogue operands this step consumes.
    unsigned getNumOperands() const;
    /// `alpha` as a double (leaky ReLU slope).
    double getAlphaAsDouble() const { return getAlpha().convertToDouble(); }
  }];
}

def SCN_EpilogueAttr : TypedArrayAttrBase<SCN_EpilogueStepAttr,
                                          "list of fused epilogue steps">;

#endif // SCN_DIALECT_SCN_IR_SCNATTRS_TD
