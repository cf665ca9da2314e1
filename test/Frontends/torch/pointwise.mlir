// Tracing and import of the activations and Dropout (aten ops and
// scn::dropout), and of ConcatTable/JoinTable/AddTable (aten::cat, aten::add).
// RUN: %python %S/trace_model.py activations %t.act.pt
// RUN: scn-import-torch %t.act.pt -o %t.act.mlir
// RUN: FileCheck %s --check-prefix=ACT < %t.act.mlir
// RUN: scn-opt %t.act.mlir -o /dev/null
// RUN: %python %S/trace_model.py tables %t.tables.pt
// RUN: scn-import-torch %t.tables.pt -o %t.tables.mlir
// RUN: FileCheck %s --check-prefix=TABLES < %t.tables.mlir
// RUN: scn-opt %t.tables.mlir -o /dev/null

// ACT: scn.input {{.*}} -> !scn.sites<1, [50]>, tensor<?x3xf32>
// ACT: %[[A:.*]] = scn.relu %{{.*}} : tensor<?x3xf32>
// ACT: %[[B:.*]] = scn.leaky_relu %[[A]] {alpha = 0.2 : f64} : tensor<?x3xf32>
// ACT: %[[C:.*]] = scn.sigmoid %[[B]]
// ACT: %[[D:.*]] = scn.tanh %[[C]]
// ACT: %[[E:.*]] = scn.elu %[[D]] : tensor<?x3xf32>
// ACT: %[[F:.*]] = scn.selu %[[E]]
// ACT: %[[G:.*]] = scn.dropout %[[F]] {p = 0.25 : f64} : tensor<?x3xf32>
// ACT: return %[[G]]

// TABLES: %[[S:.*]], %[[X:.*]] = scn.input
// TABLES: %[[L:.*]] = scn.linear %[[X]]
// TABLES: %[[J:.*]] = scn.concat %[[X]], %[[L]] : tensor<?x4xf32>, tensor<?x2xf32>
// TABLES: %[[R:.*]] = scn.relu %[[J]] : tensor<?x6xf32>
// TABLES: %[[A:.*]] = scn.add %[[J]], %[[R]] : tensor<?x6xf32>
// TABLES: return %[[A]] : tensor<?x6xf32>
