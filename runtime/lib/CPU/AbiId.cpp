//===- AbiId.cpp - the runtime's ABI id and the symbol artifacts need -----===//
//
// scn-compile artifacts refer to SCN_RUNTIME_ABI_SYMBOL (a word whose name
// carries the id of the public headers they were compiled against), so the
// dynamic linker refuses an artifact built for another runtime at load time:
// without it, a call whose arguments changed would read garbage and crash.
//
//===----------------------------------------------------------------------===//

#include "scn/Runtime/AbiId.h"
#include "scn/Runtime/Codegen.h"

extern "C" {

SCN_RUNTIME_API extern const int SCN_RUNTIME_ABI_SYMBOL;
const int SCN_RUNTIME_ABI_SYMBOL = 1;

const char *scn_runtime_abi_id(void) { return SCN_RUNTIME_ABI_ID; }

} // extern "C"
