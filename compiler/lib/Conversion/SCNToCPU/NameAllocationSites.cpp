//===- NameAllocationSites.cpp - label each host buffer with its op's location ===//
//
// Part of the SCN compiler. What it does and why: Passes.td,
// SCNNameAllocationSites.
//
//===----------------------------------------------------------------------===//

#include "scn/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include "llvm/ADT/StringMap.h"

namespace scn {
#define GEN_PASS_DEF_SCNNAMEALLOCATIONSITES
#include "scn/Conversion/Passes.h.inc"
} // namespace scn

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kSiteFunction = "scn_cg_allocation_site";

struct SCNNameAllocationSitesPass
    : scn::impl::SCNNameAllocationSitesBase<SCNNameAllocationSitesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<memref::AllocOp> allocs;
    for (func::FuncOp func : module.getOps<func::FuncOp>())
      func.walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
    if (allocs.empty())
      return;

    MLIRContext *context = module.getContext();
    OpBuilder b(context);
    auto ptr = LLVM::LLVMPointerType::get(context);
    b.setInsertionPointToStart(module.getBody());
    Operation *declared = module.lookupSymbol(kSiteFunction);
    auto site = dyn_cast_or_null<func::FuncOp>(declared);
    if (declared && !site) {
      declared->emitError("scn-name-allocation-sites: '")
          << kSiteFunction << "' is declared, but not as a func.func";
      return signalPassFailure();
    }
    if (!site) {
      site = func::FuncOp::create(b, module.getLoc(), kSiteFunction,
                                  b.getFunctionType({ptr}, {}));
      site.setPrivate();
    }

    // One constant string a location; the symbol table renames a global
    // whose name is taken (a module labelled before).
    SymbolTable symbols(module);
    llvm::StringMap<StringAttr> globalByLabel;
    auto labelGlobal = [&](StringRef label) -> StringRef {
      auto [it, inserted] = globalByLabel.try_emplace(label);
      if (inserted) {
        std::string text = label.str();
        text.push_back('\0');
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(module.getBody());
        auto global = LLVM::GlobalOp::create(
            b, module.getLoc(), LLVM::LLVMArrayType::get(b.getI8Type(), text.size()),
            /*isConstant=*/true, LLVM::Linkage::Internal,
            "__scn_allocation_site_" + std::to_string(globalByLabel.size() - 1),
            b.getStringAttr(text));
        it->second = symbols.insert(global);
      }
      return it->second.getValue();
    };

    for (memref::AllocOp alloc : allocs) {
      b.setInsertionPoint(alloc);
      Location loc = alloc.getLoc();
      Value label;
      if (isa<UnknownLoc>(loc)) {
        label = LLVM::ZeroOp::create(b, loc, ptr);
      } else {
        std::string text;
        llvm::raw_string_ostream os(text);
        loc.print(os);
        label = LLVM::AddressOfOp::create(b, loc, ptr, labelGlobal(text));
      }
      func::CallOp::create(b, loc, site, ValueRange{label});
    }
  }
};

} // namespace
