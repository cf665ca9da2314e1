//===- LinearAsConvolution.cpp - NetworkInNetwork on tensor cores ---------===//
//
// A NetworkInNetwork layer (scn.linear) is a 1x...x1 submanifold
// convolution of the sites its rows are on: the same rows, the same sums.
// As a convolution it takes the tensor-core kernels (which need a kernel
// map; the filter-1 map is each row itself) instead of the SIMT one.
//
//===----------------------------------------------------------------------===//

#include "scn/Dialect/SCN/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace scn {
#define GEN_PASS_DEF_SCNLINEARASCONVOLUTION
#include "scn/Dialect/SCN/Transforms/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn;

namespace {

struct SCNLinearAsConvolutionPass
    : scn::impl::SCNLinearAsConvolutionBase<SCNLinearAsConvolutionPass> {
  using SCNLinearAsConvolutionBase::SCNLinearAsConvolutionBase;
  void runOnOperation() override {
    SmallVector<LinearOp> linears;
    getOperation()->walk([&](LinearOp op) { linears.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (LinearOp linear : linears) {
      auto weightType = cast<RankedTensorType>(linear.getWeight().getType());
      int64_t in = weightType.getDimSize(0), out = weightType.getDimSize(1);
      auto rowsType = cast<RankedTensorType>(linear.getInput().getType());
      // Channels the tensor-core kernels take, f32 rows (the others stay
      // SIMT either way), on sites the rows can be traced to.
      if (in % multiple || out % multiple || !rowsType.getElementType().isF32())
        continue;
      Value sites = getSitesOf(linear.getInput());
      if (!sites)
        continue;
      unsigned dimension = cast<SitesType>(sites.getType()).getDimension();
      rewriter.setInsertionPoint(linear);
      Location loc = linear.getLoc();
      // [nIn, nOut] as [volume 1, groups 1, nIn, nOut].
      auto convWeightType = RankedTensorType::get({1, 1, in, out}, weightType.getElementType());
      Value weight = tensor::ExpandShapeOp::create(rewriter, loc, convWeightType,
                                                   linear.getWeight(),
                                                   ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
      auto conv = SubmanifoldConvOp::create(
          rewriter, loc, linear.getInput(), weight, sites, linear.getBias(), /*kmap=*/Value(),
          linear.getEpilogueOperands(),
          rewriter.getDenseI64ArrayAttr(SmallVector<int64_t>(dimension, 1)),
          linear.getEpilogueAttr());
      for (NamedAttribute attr : linear->getDiscardableAttrs())
        conv->setAttr(attr.getName(), attr.getValue());
      rewriter.replaceOp(linear, conv->getResults());
    }
  }
};

} // namespace
