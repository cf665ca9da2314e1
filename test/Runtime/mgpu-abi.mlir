// The mgpu* functions that MLIR 22's GPU lowering calls, with the signatures
// libscn_runtime implements (runtime/include/scn/Runtime/Gpu.h). If an LLVM
// update changes one, this fails before any GPU run does. PTX only: no GPU,
// driver or ptxas needed.
//
// RUN: mlir-opt %s --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90 cubin-features=+ptx80 cubin-format=isa" \
// RUN:   | mlir-translate --mlir-to-llvmir | FileCheck %s

// CHECK-DAG: declare ptr @mgpuStreamCreate()
// CHECK-DAG: declare ptr @mgpuMemAlloc(i64, ptr, i8)
// CHECK-DAG: declare void @mgpuMemcpy(ptr, ptr, i64, ptr)
// CHECK-DAG: declare void @mgpuMemset32(ptr, i32, i64, ptr)
// CHECK-DAG: declare void @mgpuMemFree(ptr, ptr)
// CHECK-DAG: declare void @mgpuStreamSynchronize(ptr)
// CHECK-DAG: declare void @mgpuStreamDestroy(ptr)
// CHECK-DAG: declare ptr @mgpuModuleLoadJIT(ptr, i32)
// CHECK-DAG: declare void @mgpuModuleUnload(ptr)
// CHECK-DAG: declare ptr @mgpuModuleGetFunction(ptr, ptr)
// CHECK-DAG: declare void @mgpuLaunchKernel(ptr, i64, i64, i64, i64, i64, i64, i32, ptr, ptr, ptr, i64)
// The kernel itself is PTX for the chip asked for.
// CHECK-DAG: .target sm_90

module attributes {gpu.container_module} {
  func.func @main(%host: memref<?xf32>, %n: index) {
    %c1 = arith.constant 1 : index
    %c128 = arith.constant 128 : index
    %zero = arith.constant 0.0 : f32
    %s = gpu.wait async
    %d, %t0 = gpu.alloc async [%s] (%n) : memref<?xf32>
    %t1 = gpu.memset async [%t0] %d, %zero : memref<?xf32>, f32
    %t2 = gpu.memcpy async [%t1] %d, %host : memref<?xf32>, memref<?xf32>
    %t3 = gpu.launch_func async [%t2] @kernels::@double blocks in (%n, %c1, %c1)
        threads in (%c128, %c1, %c1) args(%d : memref<?xf32>)
    %t4 = gpu.memcpy async [%t3] %host, %d : memref<?xf32>, memref<?xf32>
    %t5 = gpu.dealloc async [%t4] %d : memref<?xf32>
    gpu.wait [%t5]
    return
  }
  gpu.module @kernels {
    gpu.func @double(%a: memref<?xf32>) kernel {
      %i = gpu.thread_id x
      %v = memref.load %a[%i] : memref<?xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %a[%i] : memref<?xf32>
      gpu.return
    }
  }
}
