//===- DeviceBuffers.h - memrefs over runtime device memory -----*- C++ -*-===//
//
// Shared by scn-gpu-offload and scn-gpu-prepare-parameters: the runtime
// calls that hand generated host code device memory (parameter copies,
// prepared values), and the memrefs kernels read it through.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_CONVERSION_SCNTOGPU_DEVICEBUFFERS_H
#define SCN_CONVERSION_SCNTOGPU_DEVICEBUFFERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace scn::gpu_buffers {

/// The runtime calls that give kernels a parameter array (see Codegen.h),
/// and the mark of the memrefs built over device memory.
constexpr llvm::StringLiteral kParameter = "scn_cg_gpu_parameter";
constexpr llvm::StringLiteral kParameterDone = "scn_cg_gpu_parameter_done";
constexpr llvm::StringLiteral kConstant = "scn_cg_gpu_constant";
constexpr llvm::StringLiteral kDeviceParameterAttr = "scn.device_parameter";
/// The mark of the host stack slots (llvm.alloca) scn-gpu-prepare-parameters
/// passes the runtime: no GPU op touches them, so scn-gpu-async-chain does
/// not wait before host code that writes or reads them.
constexpr llvm::StringLiteral kHostSlotAttr = "scn.host_slot";

/// The run handle of a generated function: its first argument, the
/// !llvm.ptr that the scn lowering adds; null for other functions.
inline mlir::Value runHandleOf(mlir::func::FuncOp func) {
  if (func.getNumArguments() == 0 ||
      !llvm::isa<mlir::LLVM::LLVMPointerType>(func.getArgument(0).getType()))
    return {};
  return func.getArgument(0);
}

/// The declaration of runtime function `name`, added if missing.
inline mlir::func::FuncOp declareRuntime(mlir::ModuleOp module, llvm::StringRef name,
                                         mlir::FunctionType type) {
  if (auto f = module.lookupSymbol<mlir::func::FuncOp>(name))
    return f;
  mlir::OpBuilder b = mlir::OpBuilder::atBlockBegin(module.getBody());
  auto f = mlir::func::FuncOp::create(b, module.getLoc(), name, type);
  f.setPrivate();
  return f;
}

/// A memref of `type` (row-major, `sizes` as i64) over the data at
/// `pointer`: its LLVM descriptor, cast to the memref type, which the LLVM
/// lowering folds away. Device memory is marked so that scn-gpu-offload's
/// verifyKernelOperands knows it for GPU memory.
inline mlir::Value memrefOver(mlir::OpBuilder &b, mlir::Location loc, mlir::Value pointer,
                              mlir::MemRefType type, llvm::ArrayRef<mlir::Value> sizes,
                              bool deviceMemory = true) {
  using namespace mlir;
  Type i64 = b.getI64Type();
  Type ptr = pointer.getType();
  auto sizesType = LLVM::LLVMArrayType::get(i64, type.getRank());
  auto descriptorType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {ptr, ptr, i64, sizesType, sizesType});
  Value d = LLVM::PoisonOp::create(b, loc, descriptorType);
  d = LLVM::InsertValueOp::create(b, loc, d, pointer, ArrayRef<int64_t>{0});
  d = LLVM::InsertValueOp::create(b, loc, d, pointer, ArrayRef<int64_t>{1});
  Value stride = arith::ConstantIntOp::create(b, loc, 1, 64);
  d = LLVM::InsertValueOp::create(b, loc, d, arith::ConstantIntOp::create(b, loc, 0, 64),
                                  ArrayRef<int64_t>{2});
  for (int64_t i = type.getRank() - 1; i >= 0; --i) {
    d = LLVM::InsertValueOp::create(b, loc, d, sizes[i], ArrayRef<int64_t>{3, i});
    d = LLVM::InsertValueOp::create(b, loc, d, stride, ArrayRef<int64_t>{4, i});
    stride = arith::MulIOp::create(b, loc, stride, sizes[i]);
  }
  auto cast = UnrealizedConversionCastOp::create(b, loc, TypeRange{type}, ValueRange{d});
  if (deviceMemory)
    cast->setAttr(kDeviceParameterAttr, b.getUnitAttr());
  return cast.getResult(0);
}

} // namespace scn::gpu_buffers

#endif // SCN_CONVERSION_SCNTOGPU_DEVICEBUFFERS_H
