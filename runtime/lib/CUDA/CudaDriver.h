//===- CudaDriver.h - The CUDA driver API, loaded with dlopen -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The driver entry points the runtime uses, resolved from libcuda.so.1 at
/// first use. cuda.h (from the toolkit, headers only) gives the types; its
/// macros map names like cuMemAlloc to the versioned ABI symbols
/// (cuMemAlloc_v2), which is the name looked up. Nothing links libcuda, so
/// binaries load on machines without a driver.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CUDA_CUDADRIVER_H
#define SCN_RUNTIME_LIB_CUDA_CUDADRIVER_H

#include "Error.h"

#include <cuda.h>

#include <string>

namespace scn::rt::driver_api {

#define SCN_CUDA_DRIVER_FUNCTIONS(X)                                           \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDeviceTotalMem)                                                          \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuDeviceGetDefaultMemPool)                                                 \
  X(cuMemPoolSetAttribute)                                                     \
  X(cuMemGetInfo)                                                              \
  X(cuMemAllocAsync)                                                           \
  X(cuMemFreeAsync)                                                            \
  X(cuMemAllocManaged)                                                         \
  X(cuMemFree)                                                                 \
  X(cuMemHostAlloc)                                                            \
  X(cuMemFreeHost)                                                             \
  X(cuMemHostGetDevicePointer)                                                 \
  X(cuMemcpyAsync)                                                             \
  X(cuMemsetD32Async)                                                          \
  X(cuMemsetD16Async)                                                          \
  X(cuModuleLoadData)                                                          \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuLaunchKernel)                                                            \
  X(cuFuncGetAttribute)                                                        \
  X(cuFuncSetAttribute)                                                        \
  X(cuStreamCreate)                                                            \
  X(cuStreamCreateWithPriority)                                                \
  X(cuCtxGetStreamPriorityRange)                                               \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamQuery)                                                             \
  X(cuStreamWaitEvent)                                                         \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventRecord)                                                             \
  X(cuEventQuery)                                                              \
  X(cuEventElapsedTime)                                                        \
  X(cuEventSynchronize)

/// The resolved table. Each member has the type of the cuda.h prototype.
struct Driver {
#define SCN_CUDA_MEMBER(name) decltype(&::name) name = nullptr;
  SCN_CUDA_DRIVER_FUNCTIONS(SCN_CUDA_MEMBER)
#undef SCN_CUDA_MEMBER
};

/// The driver with a current context on the calling thread: loads
/// libcuda.so.1 and initialises `device` on first use (default 0, or the
/// last scn_gpu_init / mgpuSetDefaultDevice). Throws NO_DEVICE otherwise.
const Driver &driver();

/// Selects `device` (throws NO_DEVICE when out of range).
void selectDevice(int32_t device);

/// The device in use (after driver()).
int32_t currentDevice();

/// Throws for a failed driver call: OUT_OF_MEMORY for CUDA_ERROR_OUT_OF_MEMORY,
/// NO_DEVICE for CUDA_ERROR_NO_DEVICE / INVALID_DEVICE, else DEVICE; the
/// message names the call, the driver's error and `what`.
void check(CUresult result, const char *call, const std::string &what = "");

} // namespace scn::rt::driver_api

#endif // SCN_RUNTIME_LIB_CUDA_CUDADRIVER_H
