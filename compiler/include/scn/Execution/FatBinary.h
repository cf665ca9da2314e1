//===- FatBinary.h - cubin for several chips in one gpu.binary --*- C++ -*-===//
//
// scn-compile --target=cuda --chip=sm_80,sm_90: the CUDA pipeline leaves
// PTX (for the oldest chip) in each gpu.binary. This step assembles it with
// the toolkit's ptxas for every chip and packs the cubins and the PTX into
// one fat binary with fatbinary, which cuModuleLoadData reads: the driver
// picks the cubin of the GPU it runs on, or compiles the PTX for a newer one.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_EXECUTION_FATBINARY_H
#define SCN_EXECUTION_FATBINARY_H

#include "scn/Execution/Compile.h"

namespace scn {

/// The directory of the CUDA toolkit's tools (ptxas, fatbinary): $CUDA_HOME/bin,
/// /usr/local/cuda/bin or PATH. Empty when ptxas is not found.
std::string findCudaToolDirectory();

/// Replaces the PTX object of every gpu.binary in `module` with a fat
/// binary holding cubin for each of options.chips and the PTX.
llvm::Error embedFatBinaries(mlir::ModuleOp module, const CompileOptions &options);

} // namespace scn

#endif // SCN_EXECUTION_FATBINARY_H
