//===- SCNTypes.td - scn dialect types ----------------------*- tablegen -*-===//

#ifndef SCN_DIALECT_SCN_IR_SCNTYPES_TD
#define SCN_DIALECT_SCN_IR_SCNTYPES_TD

include "scn/Dialect/SCN/IR/SCNBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

def SCN_SitesType : SCN_Type<"Sites", "sites"> {
  let summary = "the active sites of a sparse tensor at one spatial size";
  let description = [{
    A set of active sites: integer coordinates in `[0, s_i)` on each of the
    `D` spatial axes, plus a batch index. The spatial size is static, so that
    the verifier can check SparseConvNet's size arithmetic
    (`out = (in - size) / stride + 1` with exact division for strided ops,
    `(in - 1) * stride + size` for transposed ops). `D` is between 1 and 10,
    as in SparseConvNet. The number of sites and the batch size are known only
    at run time; the runtime owns the hash map from coordinates to rows.

    ```mlir
    !scn.sites<3, [32, 32, 32]>
    ```
  }];
  let parameters = (ins "unsigned":$dimension,
                        ArrayRefParameter<"int64_t">:$spatialSize);
  let assemblyFormat = "`<` $dimension `,` `[` $spatialSize `]` `>`";
  let genVerifyDecl = 1;
}

def SCN_KernelMapType : SCN_Type<"KernelMap", "kmap"> {
  let summary = "a kernel map (rulebook) between two site sets";
  let description = [{
    For every output site and every filter offset, the input site that the
    offset reaches (or none). Built by the runtime; produced in the IR by
    `scn.kernel_map`, which records the site sets, kind, filter and stride.

    ```mlir
    !scn.kmap
    ```
  }];
}

def SCN_Sites : Type<CPred<"::llvm::isa<::scn::SitesType>($_self)">,
                     "scn sites", "::scn::SitesType">;
def SCN_KernelMap : Type<CPred<"::llvm::isa<::scn::KernelMapType>($_self)">,
                         "scn kernel map", "::scn::KernelMapType">,
                    BuildableType<"::scn::KernelMapType::get($_builder.getContext())">;

/// Features: one row per active site, a static number of channels.
def SCN_Features : Type<And<[
    CPred<"::llvm::isa<::mlir::RankedTensorType>($_self)">,
    CPred<"::llvm::cast<::mlir::RankedTensorType>($_self).getRank() == 2">,
    CPred<"!::llvm::cast<::mlir::RankedTensorType>($_self).isDynamicDim(1)">,
    CPred<"::llvm::isa<::mlir::Float32Type, ::mlir::Float16Type, ::mlir::BFloat16Type>("
          "::llvm::cast<::mlir::RankedTensorType>($_self).getElementType())">]>,
    "feature tensor (rank 2, static channel count, f32/f16/bf16)",
    "::mlir::RankedTensorType">;

/// Weights and per-channel parameters: static shapes, float elements.
def SCN_StaticFloatTensor : Type<And<[
    CPred<"::llvm::isa<::mlir::RankedTensorType>($_self)">,
    CPred<"::llvm::cast<::mlir::RankedTensorType>($_self).hasStaticShape()">,
    CPred<"::llvm::isa<::mlir::FloatType>("
          "::llvm::cast<::mlir::RankedTensorType>($_self).getElementType())">]>,
    "statically shaped float tensor", "::mlir::RankedTensorType">;

/// Input coordinates: [N, D + 1] integers with the batch index last.
def SCN_Coordinates : Type<And<[
    CPred<"::llvm::isa<::mlir::RankedTensorType>($_self)">,
    CPred<"::llvm::isa<::mlir::IntegerType>("
          "::llvm::cast<::mlir::RankedTensorType>($_self).getElementType())">]>,
    "integer coordinate tensor", "::mlir::RankedTensorType">;

/// Dense tensors: [B, C, s0, ..., sD-1].
def SCN_DenseTensor : Type<And<[
    CPred<"::llvm::isa<::mlir::RankedTensorType>($_self)">,
    CPred<"::llvm::isa<::mlir::FloatType>("
          "::llvm::cast<::mlir::RankedTensorType>($_self).getElementType())">]>,
    "ranked float tensor", "::mlir::RankedTensorType">;

#endif // SCN_DIALECT_SCN_IR_SCNTYPES_TD
