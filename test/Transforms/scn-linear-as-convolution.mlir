// RUN: scn-opt %s -scn-linear-as-convolution -split-input-file | FileCheck %s --enable-var-scope

// A NetworkInNetwork whose channels are multiples of 16, on rows traced to
// their sites: a 1x1x1 submanifold convolution of those sites, its weight
// [nIn, nOut] viewed as [1, 1, nIn, nOut], bias and epilogue (a tap
// included) kept, and so is a discardable attribute.
// CHECK-LABEL: func @shortcut
// CHECK-SAME: %[[C:[^:]*]]: tensor<?x4xi64>, %[[F:[^:]*]]: tensor<?x32xf32>, %[[W:[^:]*]]: tensor<32x16xf32>, %[[B:[^:]*]]: tensor<16xf32>, %[[R:[^:]*]]: tensor<?x16xf32>
// CHECK: %[[S:.*]], %[[X:.*]] = scn.input
// CHECK: %[[W4:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1, 2], [3]] output_shape [1, 1, 32, 16] : tensor<32x16xf32> into tensor<1x1x32x16xf32>
// CHECK: %[[Y:.*]], %[[T:.*]] = scn.submanifold_conv %[[X]], %[[W4]] on %[[S]] bias(%[[B]] : tensor<16xf32>) epilogue(%[[R]] : tensor<?x16xf32>) {epilogue = [#scn.step<residual>, #scn.step<tap>, #scn.step<relu>], filter_size = array<i64: 1, 1, 1>, note = "kept"}
// CHECK-NOT: scn.linear
// CHECK: return %[[Y]], %[[T]]
func.func @shortcut(%c: tensor<?x4xi64>, %f: tensor<?x32xf32>, %w: tensor<32x16xf32>, %b: tensor<16xf32>,
                    %r: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %s, %x = scn.input %c, %f : tensor<?x4xi64>, tensor<?x32xf32> -> !scn.sites<3, [8, 8, 8]>, tensor<?x32xf32>
  %y, %t = scn.linear %x, %w bias(%b : tensor<16xf32>) epilogue(%r : tensor<?x16xf32>)
      {epilogue = [#scn.step<residual>, #scn.step<tap>, #scn.step<relu>], note = "kept"} : tensor<?x32xf32>, tensor<32x16xf32>
  return %y, %t : tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// Channels the tensor cores do not take stay a linear op, and so do rows
// whose sites are not known (a function argument's).
// CHECK-LABEL: func @stays
// CHECK: scn.linear
// CHECK: scn.linear
// CHECK-NOT: scn.submanifold_conv
func.func @stays(%c: tensor<?x4xi64>, %f: tensor<?x24xf32>, %w: tensor<24x16xf32>,
                 %g: tensor<?x32xf32>, %v: tensor<32x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %s, %x = scn.input %c, %f : tensor<?x4xi64>, tensor<?x24xf32> -> !scn.sites<3, [8, 8, 8]>, tensor<?x24xf32>
  %y = scn.linear %x, %w : tensor<?x24xf32>, tensor<24x16xf32>
  %z = scn.linear %g, %v : tensor<?x32xf32>, tensor<32x16xf32>
  return %y, %z : tensor<?x16xf32>, tensor<?x16xf32>
}
