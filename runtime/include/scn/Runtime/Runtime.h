/*===- scn/Runtime/Runtime.h - The whole C ABI of libscn_runtime -*- C -*-===*\
|*                                                                            *|
|* Part of the SCN compiler runtime (libscn_runtime).                         *|
|*                                                                            *|
|* Include this header for the complete C ABI. Conventions:                   *|
|*  - every function returns scn_status_t; on failure the outputs are left    *|
|*    unchanged and scn_last_error_message() says what was wrong;             *|
|*  - handles (scn_sites_t, scn_kmap_t) are immutable once built, owned by    *|
|*    the caller and released with their scn_*_free;                          *|
|*  - rows and pair counts are int32; larger inputs are SCN_ERROR_OVERFLOW;   *|
|*  - no C++ exception ever leaves the library.                               *|
|* All arrays live in host memory. A device version will take the same       *|
|* handles plus a stream.                                                     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SCN_RUNTIME_RUNTIME_H
#define SCN_RUNTIME_RUNTIME_H

#include "scn/Runtime/KernelMap.h"
#include "scn/Runtime/LayerMaps.h"
#include "scn/Runtime/Model.h"
#include "scn/Runtime/Sites.h"
#include "scn/Runtime/Status.h"
#include "scn/Runtime/Threading.h"

#endif // SCN_RUNTIME_RUNTIME_H
