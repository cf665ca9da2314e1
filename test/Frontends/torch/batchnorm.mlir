// Tracing and import of BatchNormalization (affine or not, with leakiness) in
// eval mode, and of train mode, whose updated running statistics become
// extra function results.
// RUN: %python %S/trace_model.py batchnorm %t.eval.pt
// RUN: scn-import-torch %t.eval.pt -o %t.eval.mlir
// RUN: FileCheck %s --check-prefix=EVAL < %t.eval.mlir
// RUN: scn-opt %t.eval.mlir -o /dev/null
// RUN: %python %S/trace_model.py batchnorm_train %t.train.pt
// RUN: scn-import-torch %t.train.pt -o %t.train.mlir
// RUN: FileCheck %s --check-prefix=TRAIN < %t.train.mlir
// RUN: scn-opt %t.train.mlir -o /dev/null

// EVAL: %[[M:.*]] = arith.constant dense_resource<model_0_running_mean> : tensor<4xf32>
// EVAL: %[[V:.*]] = arith.constant dense_resource<model_0_running_var> : tensor<4xf32>
// EVAL: %[[Y:.*]] = scn.batch_norm %{{.*}}, %[[M]], %[[V]] {eps = 0.0001 : f64, momentum = 0.99 : f64, leakiness = 1.0 : f64} : tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>
// EVAL: scn.batch_norm %[[Y]], %{{.*}}, %{{.*}} weight(%{{.*}} : tensor<4xf32>) bias(%{{.*}} : tensor<4xf32>) {{{.*}}leakiness = 0.1 : f64}

// TRAIN-LABEL: func.func @main({{.*}}) -> (tensor<?x4xf32> {scn.name = "output"}, tensor<4xf32> {scn.name = "model.0.running_mean"}, tensor<4xf32> {scn.name = "model.0.running_var"})
// TRAIN: %[[Y:.*]], %[[ST:.*]]:2 = scn.batch_norm {{.*}} {eps = 0.0001 : f64, momentum = 0.9 : f64, leakiness = 0.0 : f64, training}
// TRAIN: return %[[Y]], %[[ST]]#0, %[[ST]]#1 : tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>
