// Models the importer cannot map: the error names the node kind and where
// the node came from in the model (the traced Python line and the line of the
// archive's code); nothing is dropped silently.
// RUN: %python %S/trace_model.py error_sort %t.sort.pt
// RUN: not scn-import-torch %t.sort.pt -o %t.sort.mlir 2>&1 | FileCheck %s --check-prefix=SORT
// RUN: %python %S/trace_model.py error_mul %t.mul.pt
// RUN: not scn-import-torch %t.mul.pt 2>&1 | FileCheck %s --check-prefix=MUL
// RUN: not scn-import-torch %t.missing.pt 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not scn-import-torch %s 2>&1 | FileCheck %s --check-prefix=NOTTS
// RUN: not scn-import-torch 2>&1 | FileCheck %s --check-prefix=NOINPUT
// RUN: not scn-import-torch %t.sort.pt --bogus 2>&1 | FileCheck %s --check-prefix=BADOPT

// SORT: scn-import-torch: error: {{.*}}.sort.pt: cannot import node aten::sort
// SORT-NEXT: at {{.*}}trace_model.py:{{[0-9]+}}
// SORT-NEXT: in the model's code code/__torch__{{.*}}.py:{{[0-9]+}}:{{[0-9]+}}
// SORT-NEXT: node: {{.*}} = aten::sort(
// SORT-NEXT: this node kind has no scn equivalent

// MUL: cannot import node aten::mul
// MUL-NEXT: at {{.*}}trace_model.py:{{[0-9]+}}

// MISSING: scn-import-torch: error: cannot load '{{.*}}missing.pt' as a TorchScript model

// NOTTS: scn-import-torch: error: cannot load '{{.*}}errors.mlir' as a TorchScript model

// NOINPUT: scn-import-torch: error: no input file

// BADOPT: scn-import-torch: error: unknown option '--bogus'
