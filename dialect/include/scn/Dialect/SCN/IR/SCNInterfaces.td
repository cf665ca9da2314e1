//===- SCNInterfaces.td - scn op interfaces -----------------*- tablegen -*-===//

#ifndef SCN_DIALECT_SCN_IR_SCNINTERFACES_TD
#define SCN_DIALECT_SCN_IR_SCNINTERFACES_TD

include "mlir/IR/OpBase.td"

def SCN_KernelMapUserOpInterface : OpInterface<"KernelMapUserOpInterface"> {
  let cppNamespace = "::scn";
  let description = [{
    An op that reads its input rows through a kernel map: every convolution
    but `scn.linear`, and every pooling op. The interface names the map the
    op needs (kind, site pair, filter, stride) so that
    `scn-materialize-kernel-maps` can build each distinct map once. A
    deconvolution or unpooling names the strided map of its downsampling step
    and reads it transposed.
  }];
  let methods = [
    InterfaceMethod<"The kind of kernel map this op reads.",
      "::scn::KernelMapKind", "getKernelMapKind">,
    InterfaceMethod<"The input-side sites of the map this op reads.",
      "::mlir::Value", "getMapInputSites">,
    InterfaceMethod<"The output-side sites of the map this op reads.",
      "::mlir::Value", "getMapOutputSites">,
    InterfaceMethod<"Filter size per axis.",
      "::llvm::ArrayRef<int64_t>", "getMapFilterSize">,
    InterfaceMethod<"Filter stride per axis (all ones for submanifold).",
      "::llvm::SmallVector<int64_t>", "getMapFilterStride">,
    InterfaceMethod<"Whether the op reads its map transposed.",
      "bool", "readsMapTransposed">,
    InterfaceMethod<"The explicit kernel map, or null.",
      "::mlir::Value", "getKernelMap", (ins), [{}],
      [{ return $_op.getKmap(); }]>,
    InterfaceMethod<"Sets the explicit kernel map operand.",
      "void", "setKernelMap", (ins "::mlir::Value":$map), [{}],
      [{ $_op.getKmapMutable().assign(map); }]>,
  ];
}

def SCN_EpilogueOpInterface : OpInterface<"EpilogueOpInterface"> {
  let cppNamespace = "::scn";
  let description = [{
    An op that computes `acc (+ bias)` per output row and can apply a fused
    epilogue (`#scn.step` list) before writing the row once: every
    convolution and `scn.linear`.
  }];
  let methods = [
    InterfaceMethod<"The fused epilogue steps (possibly empty).",
      "::llvm::SmallVector<::scn::EpilogueStepAttr>", "getEpilogueSteps", (ins),
      [{}], [{
        ::llvm::SmallVector<::scn::EpilogueStepAttr> steps;
        if (auto list = $_op.getEpilogueAttr())
          for (::mlir::Attribute a : list)
            steps.push_back(::llvm::cast<::scn::EpilogueStepAttr>(a));
        return steps;
      }]>,
    InterfaceMethod<"The weight operand.", "::mlir::OpOperand &",
      "getWeightOperand", (ins), [{}],
      [{ return $_op.getWeightMutable(); }]>,
    InterfaceMethod<"The bias, or null.", "::mlir::Value", "getBiasValue",
      (ins), [{}], [{ return $_op.getBias(); }]>,
    InterfaceMethod<"Sets (or adds) the bias operand.", "void", "setBiasValue",
      (ins "::mlir::Value":$bias), [{}],
      [{ $_op.getBiasMutable().assign(bias); }]>,
    InterfaceMethod<"Appends a step and the operands it consumes.",
      "void", "appendEpilogueStep",
      (ins "::scn::EpilogueStepAttr":$step, "::mlir::ValueRange":$operands),
      [{}], [{
        ::llvm::SmallVector<::mlir::Attribute> list;
        if (auto old = $_op.getEpilogueAttr())
          list.append(old.begin(), old.end());
        list.push_back(step);
        $_op.setEpilogueAttr(::mlir::ArrayAttr::get($_op.getContext(), list));
        $_op.getEpilogueOperandsMutable().append(operands);
      }]>,
  ];
}

#endif // SCN_DIALECT_SCN_IR_SCNINTERFACES_TD
