// Models traced and saved with torch 2.11 (Inputs/*.torch2.pt, made with
// `python3 trace_model.py NAME OUT.pt` on a machine with torch 2.x) import
// with the importer's libtorch (Debian's 1.13).
// RUN: scn-import-torch %S/Inputs/unet.torch2.pt -o %t.unet.mlir
// RUN: FileCheck %s --check-prefix=UNET < %t.unet.mlir
// RUN: scn-opt %t.unet.mlir -o /dev/null
// RUN: scn-import-torch %S/Inputs/tables.torch2.pt | scn-opt | FileCheck %s --check-prefix=TABLES
// RUN: scn-import-torch %S/Inputs/bl_io.torch2.pt | scn-opt | FileCheck %s --check-prefix=BL
// RUN: not scn-import-torch %S/Inputs/error_sort.torch2.pt 2>&1 | FileCheck %s --check-prefix=SORT

// UNET-LABEL: func.func @main(%coords: tensor<?x4xi64> {scn.name = "coords"}, %features: tensor<?x1xf32> {scn.name = "features"}) -> tensor<?x4xf32>
// UNET: %[[S:.*]], %{{.*}} = scn.input
// UNET: %[[T:.*]] = scn.downsample %[[S]]
// UNET: scn.deconv {{.*}} from %[[T]] to %[[S]]
// UNET: scn.output %{{.*}} on %[[S]]

// TABLES: scn.concat
// TABLES: scn.add

// BL: scn.bl_input
// BL: scn.bl_output

// SORT: error: {{.*}}error_sort.torch2.pt: cannot import node aten::sort
// SORT-NEXT: at {{.*}}trace_model.py:{{[0-9]+}}
// SORT: this node kind has no scn equivalent
