//===- TensorCoreOps.cpp - tensor-core placeholders to NVVM ---------------===//
//
// Part of scn-gpu-offload: the placeholder calls that tensor-core kernels
// carry through bufferization (scn/Conversion/TensorCores.h) become NVVM
// ops and inline PTX once buffer deallocation, which refuses ops with
// unknown memory effects, has run.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreOps.h"

#include "scn/Conversion/TensorCores.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

#include <string>

using namespace mlir;

namespace scn::gpu_offload {

/// One offset's wgmmas (kWarpgroupMmaPlaceholderPrefix) as one inline PTX
/// block: wgmma.fence (the accumulators and A fragments were written by
/// other instructions), a wgmma.mma_async m64nNk16 per k step (A from
/// registers, B through its descriptor, K-major: no transpose; scale-d 1:
/// accumulate), commit, and a wait for the group, inside the same block so
/// that no instruction reads the accumulators before the wgmmas wrote
/// them.
static Value warpgroupMmaAsm(OpBuilder &b, Location loc, func::CallOp call) {
  // N / 2 accumulators a lane (the results) for N output channels.
  const int64_t kAccumulators = call.getNumResults();
  ValueRange operands = call.getOperands();
  int64_t steps = (static_cast<int64_t>(operands.size()) - kAccumulators) / 5;
  StringRef type =
      call.getCallee().starts_with((scn::kWarpgroupMmaPlaceholderPrefix + "f16_").str())
          ? "f16"
          : "bf16";
  std::string text = "{\n.reg .pred p;\n";
  std::string constraints;
  for (int64_t i = 0; i < kAccumulators; ++i)
    constraints += "=f,";
  for (int64_t i = 0; i < kAccumulators; ++i)
    constraints += std::to_string(i) + ",";
  auto accumulators = [&] {
    std::string list = "{";
    for (int64_t i = 0; i < kAccumulators; ++i)
      list += (i ? ", $" : "$") + std::to_string(i);
    return list + "}";
  };
  // Operands: the outputs 0-31, their tied inputs 32-63, the A fragments
  // (4 a step), the descriptors, scale-d.
  int64_t aFirst = 2 * kAccumulators, descriptorFirst = aFirst + 4 * steps;
  int64_t scaleD = descriptorFirst + steps;
  text += "setp.ne.b32 p, $" + std::to_string(scaleD) + ", 0;\n";
  text += "wgmma.fence.sync.aligned;\n";
  for (int64_t step = 0; step < steps; ++step) {
    text += "wgmma.mma_async.sync.aligned.m64n" + std::to_string(2 * kAccumulators) +
            "k16.f32." + type.str() + "." + type.str() + " " +
            accumulators() + ", {";
    for (int64_t i = 0; i < 4; ++i)
      text += (i ? ", $" : "$") + std::to_string(aFirst + 4 * step + i);
    text += "}, $" + std::to_string(descriptorFirst + step) + ", p, 1, 1, 0;\n";
  }
  text += "wgmma.commit_group.sync.aligned;\nwgmma.wait_group.sync.aligned 0;\n}";
  for (int64_t i = 0; i < 4 * steps; ++i)
    constraints += "r,";
  for (int64_t i = 0; i < steps; ++i)
    constraints += "l,";
  constraints += "r";
  SmallVector<Value> inputs(operands.begin(), operands.end());
  inputs.push_back(LLVM::ConstantOp::create(b, loc, b.getI32Type(), 1));
  Type f32 = b.getF32Type();
  auto result = LLVM::LLVMStructType::getLiteral(
      b.getContext(), SmallVector<Type>(kAccumulators, f32));
  return LLVM::InlineAsmOp::create(b, loc, result, inputs, text, constraints,
                                   /*has_side_effects=*/true, /*is_align_stack=*/false,
                                   LLVM::tailcallkind::TailCallKind::None,
                                   LLVM::AsmDialectAttr(), ArrayAttr())
      .getRes();
}

/// The inline PTX of the cluster placeholders other than the rank's
/// (scn/Conversion/TensorCores.h): text and operand constraints. Each
/// clobbers memory, so that no shared-memory access moves across it. The
/// waits and arrivals keep the default CTA scope, as CUTLASS's multicast
/// pipelines do: what they order is the completion of asynchronous copies
/// and of wgmma's reads (waited for before the arrival), not stores that a
/// partner's threads read, and a cluster-scope acquire or release could
/// make a warp wait for its gathers in flight.
static std::pair<StringRef, StringRef> clusterAsm(StringRef name) {
  if (name == scn::kClusterSyncPlaceholder)
    return {"barrier.cluster.arrive.release.aligned;\nbarrier.cluster.wait.acquire.aligned;",
            "~{memory}"};
  if (name == scn::kMbarrierInitPlaceholder)
    return {"mbarrier.init.shared::cta.b64 [$0], $1;", "r,r,~{memory}"};
  if (name == scn::kMbarrierInitFencePlaceholder)
    return {"fence.mbarrier_init.release.cluster;", "~{memory}"};
  if (name == scn::kMbarrierWaitPlaceholder)
    // Labels are local to the braces' scope, so the block may repeat.
    return {"{\n.reg .pred done;\nscn_mbarrier_wait:\n"
            "mbarrier.try_wait.parity.shared::cta.b64 done, [$0], $1;\n"
            "@!done bra scn_mbarrier_wait;\n}",
            "r,r,~{memory}"};
  if (name == scn::kMbarrierExpectBytesPlaceholder)
    return {"mbarrier.arrive.expect_tx.shared::cta.b64 _, [$0], $1;", "r,r,~{memory}"};
  if (name == scn::kMbarrierArriveAtRankPlaceholder)
    return {"{\n.reg .b32 remote;\nmapa.shared::cluster.u32 remote, $0, $1;\n"
            "mbarrier.arrive.shared::cluster.b64 _, [remote];\n}",
            "r,r,~{memory}"};
  if (name == scn::kBulkCopyToBothPlaceholder)
    // Ranks 0 and 1 (a CTA mask of 0b11), from the generic pointer's
    // global address.
    return {"{\n.reg .b16 both;\n.reg .b64 source;\nmov.b16 both, 3;\n"
            "cvta.to.global.u64 source, $1;\n"
            "cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes."
            "multicast::cluster [$0], [source], $2, [$3], both;\n}",
            "r,l,r,r,~{memory}"};
  llvm::report_fatal_error(llvm::Twine("scn: unknown cluster placeholder ") + name);
}

/// Replaces `call`'s results by the fields of the LLVM struct `fields`, in
/// order, and erases it.
static void replaceByFields(OpBuilder &b, func::CallOp call, Value fields) {
  for (unsigned i = 0; i < call.getNumResults(); ++i)
    call.getResult(i).replaceAllUsesWith(
        LLVM::ExtractValueOp::create(b, call.getLoc(), fields, ArrayRef<int64_t>{i})
            .getResult());
  call.erase();
}

/// Turns the placeholder calls of tensor-core kernels (see
/// scn/Conversion/TensorCores.h) into NVVM ops: mmas into nvvm.mma.sync
/// m16n8k16 (f16, bf16) or m16n8k8 (tf32), row x col; warp votes into nvvm.vote.sync any and warp ORs
/// into nvvm.redux.sync or, over the full warp; block barriers into
/// gpu.barrier. Erases their declarations.
void materializeWarpOps(ModuleOp module) {
  auto isPlaceholder = [](StringRef name) {
    return name.starts_with(scn::kMmaPlaceholderPrefix) || name == scn::kMmaTF32Placeholder ||
           name == scn::kWarpAnyPlaceholder ||
           name == scn::kWarpOrPlaceholder || name == scn::kBlockBarrierPlaceholder ||
           name == scn::kAsyncCommitPlaceholder || name == scn::kAsyncWaitPlaceholder ||
           name.starts_with(scn::kWarpgroupMmaPlaceholderPrefix) ||
           name == scn::kAsyncProxyFencePlaceholder || name == scn::kPrefetchL1Placeholder ||
           name.starts_with(scn::kClusterPlaceholderPrefix);
  };
  SmallVector<func::CallOp> calls;
  module.walk([&](func::CallOp call) {
    if (isPlaceholder(call.getCallee()))
      calls.push_back(call);
  });
  for (func::CallOp call : calls) {
    OpBuilder b(call);
    Location loc = call.getLoc();
    if (call.getCallee() == scn::kWarpAnyPlaceholder) {
      Value fullWarp = LLVM::ConstantOp::create(b, loc, b.getI32Type(), -1);
      Value any = NVVM::VoteSyncOp::create(b, loc, b.getI1Type(), fullWarp,
                                           call.getOperand(0), NVVM::VoteSyncKind::any);
      call.getResult(0).replaceAllUsesWith(any);
      call.erase();
      continue;
    }
    if (call.getCallee() == scn::kClusterRankPlaceholder) {
      call.getResult(0).replaceAllUsesWith(
          NVVM::ClusterId::create(b, loc, b.getI32Type()).getResult());
      call.erase();
      continue;
    }
    if (call.getCallee().starts_with(scn::kClusterPlaceholderPrefix)) {
      auto [text, constraints] = clusterAsm(call.getCallee());
      LLVM::InlineAsmOp::create(b, loc, TypeRange{}, call.getOperands(), text, constraints,
                                /*has_side_effects=*/true, /*is_align_stack=*/false,
                                LLVM::tailcallkind::TailCallKind::None,
                                LLVM::AsmDialectAttr(), ArrayAttr());
      call.erase();
      continue;
    }
    if (call.getCallee() == scn::kBlockBarrierPlaceholder) {
      gpu::BarrierOp::create(b, loc);
      call.erase();
      continue;
    }
    if (call.getCallee().starts_with(scn::kWarpgroupMmaPlaceholderPrefix)) {
      replaceByFields(b, call, warpgroupMmaAsm(b, loc, call));
      continue;
    }
    if (call.getCallee() == scn::kPrefetchL1Placeholder) {
      // Generic addressing: the pointer is a generic one into global memory.
      Value address = LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), call.getOperand(0));
      LLVM::InlineAsmOp::create(b, loc, TypeRange{}, ValueRange{address}, "prefetch.L1 [$0];",
                                "l", /*has_side_effects=*/true, /*is_align_stack=*/false,
                                LLVM::tailcallkind::TailCallKind::None,
                                LLVM::AsmDialectAttr(), ArrayAttr());
      call.erase();
      continue;
    }
    if (call.getCallee() == scn::kAsyncProxyFencePlaceholder) {
      NVVM::FenceProxyOp::create(
          b, loc, NVVM::ProxyKindAttr::get(b.getContext(), NVVM::ProxyKind::async_shared),
          NVVM::SharedSpaceAttr::get(b.getContext(), NVVM::SharedSpace::shared_cta));
      call.erase();
      continue;
    }
    if (call.getCallee() == scn::kAsyncCommitPlaceholder) {
      NVVM::CpAsyncCommitGroupOp::create(b, loc);
      call.erase();
      continue;
    }
    if (call.getCallee() == scn::kAsyncWaitPlaceholder) {
      APInt pending;
      if (!matchPattern(call.getOperand(0), m_ConstantInt(&pending)))
        llvm::report_fatal_error("scn: __scn_async_wait takes a constant group count");
      NVVM::CpAsyncWaitGroupOp::create(b, loc, static_cast<uint32_t>(pending.getZExtValue()));
      call.erase();
      continue;
    }
    if (call.getCallee() == scn::kWarpOrPlaceholder) {
      Value fullWarp = LLVM::ConstantOp::create(b, loc, b.getI32Type(), -1);
      Value all = NVVM::ReduxOp::create(
          b, loc, b.getI32Type(), call.getOperand(0),
          NVVM::ReduxKindAttr::get(b.getContext(), NVVM::ReduxKind::OR), fullWarp);
      call.getResult(0).replaceAllUsesWith(all);
      call.erase();
      continue;
    }
    bool isF16 = call.getCallee().ends_with("_f16");
    // f16 multiplicands are <2 x half> registers, bf16 ones i32.
    auto registers = [&](ValueRange packed) {
      SmallVector<Value> result;
      for (Value v : packed)
        result.push_back(isF16 ? LLVM::BitcastOp::create(
                                     b, loc, VectorType::get({2}, b.getF16Type()), v)
                                     .getResult()
                               : v);
      return result;
    };
    ValueRange operands = call.getOperands();
    Type f32 = b.getF32Type();
    // tf32: m16n8k8, one tf32 an i32 register, the same operand counts.
    bool isTF32 = call.getCallee() == scn::kMmaTF32Placeholder;
    auto type = isF16    ? NVVM::MMATypes::f16
                : isTF32 ? NVVM::MMATypes::tf32
                         : NVVM::MMATypes::bf16;
    auto mma = NVVM::MmaOp::create(
        b, loc, LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32}),
        registers(operands.take_front(4)), registers(operands.slice(4, 2)),
        operands.take_back(4), ArrayRef<int64_t>{16, 8, isTF32 ? 8 : 16}, std::nullopt,
        std::nullopt,
        std::array<NVVM::MMATypes, 2>{type, type},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row, NVVM::MMALayout::col});
    replaceByFields(b, call, mma);
  }
  for (auto f : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (f.isExternal() && isPlaceholder(f.getName()))
      f.erase();
}

} // namespace scn::gpu_offload
