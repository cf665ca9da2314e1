//===- SCNDialect.cpp - scn dialect registration, types, attributes -------===//

#include "scn/Dialect/SCN/IR/SCNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace scn;

#include "scn/Dialect/SCN/IR/SCNDialect.cpp.inc"
#include "scn/Dialect/SCN/IR/SCNEnums.cpp.inc"
#include "scn/Dialect/SCN/IR/SCNInterfaces.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "scn/Dialect/SCN/IR/SCNTypes.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "scn/Dialect/SCN/IR/SCNAttrs.cpp.inc"

#define GET_OP_CLASSES
#include "scn/Dialect/SCN/IR/SCNOps.cpp.inc"

void SCNDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "scn/Dialect/SCN/IR/SCNTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "scn/Dialect/SCN/IR/SCNAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "scn/Dialect/SCN/IR/SCNOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// SitesType
//===----------------------------------------------------------------------===//

/// Largest spatial size per axis. It keeps every size computation in the
/// verifier (products and `(in - 1) * stride + size`) inside int64, and is far
/// past any real grid (SparseConvNet's LiDAR grids are a few thousand wide).
static constexpr int64_t kMaxSpatialSize = (int64_t(1) << 31) - 1;

LogicalResult
SitesType::verify(function_ref<InFlightDiagnostic()> emitError,
                  unsigned dimension, ArrayRef<int64_t> spatialSize) {
  // SCN rule: SparseConvNet supports dimensions 1 to 10.
  if (dimension < 1 || dimension > 10)
    return emitError() << "sites dimension must be between 1 and 10, got "
                       << dimension;
  if (spatialSize.size() != dimension)
    return emitError() << "sites of dimension " << dimension << " need "
                       << dimension << " spatial sizes, got "
                       << spatialSize.size();
  for (auto [axis, size] : llvm::enumerate(spatialSize))
    if (size < 1 || size > kMaxSpatialSize)
      return emitError() << "spatial size of axis " << axis << " must be in [1, "
                         << kMaxSpatialSize << "], got " << size;
  return success();
}

//===----------------------------------------------------------------------===//
// EpilogueStepAttr
//===----------------------------------------------------------------------===//

unsigned EpilogueStepAttr::getNumOperands() const {
  switch (getKind()) {
  case EpilogueKind::affine:
    return 2;
  case EpilogueKind::residual:
    return 1;
  default:
    return 0;
  }
}

Attribute EpilogueStepAttr::parse(AsmParser &parser, Type) {
  StringRef keyword;
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<EpilogueKind> kind = symbolizeEpilogueKind(keyword);
  if (!kind) {
    parser.emitError(parser.getCurrentLocation())
        << "unknown epilogue step '" << keyword << "'";
    return {};
  }
  double alpha = 0.0;
  if (succeeded(parser.parseOptionalComma())) {
    // Only the parametric activations take one; elsewhere it would be
    // dropped silently.
    if (*kind != EpilogueKind::leaky_relu && *kind != EpilogueKind::elu) {
      parser.emitError(parser.getCurrentLocation())
          << "epilogue step '" << keyword << "' takes no alpha (only leaky_relu and elu do)";
      return {};
    }
    if (parser.parseFloat(alpha))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return EpilogueStepAttr::get(parser.getContext(), *kind, llvm::APFloat(alpha));
}

void EpilogueStepAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyEpilogueKind(getKind());
  if (getKind() == EpilogueKind::leaky_relu || getKind() == EpilogueKind::elu ||
      !getAlpha().isZero())
  {
    printer << ", ";
    printer.printFloat(getAlpha());
  }
  printer << ">";
}
