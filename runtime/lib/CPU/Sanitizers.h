//===- Sanitizers.h - Whether this build runs under a sanitizer -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// SCN_UNDER_ADDRESS_SANITIZER is defined in AddressSanitizer builds (gcc's
/// and clang's spellings): the runtime's reuse of memory (MemoryPool.h's
/// pool, RunArena.h's block) is off there, as reused blocks would hide
/// overflows and use after free from it, and the tests that count reuse
/// expect none.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_SANITIZERS_H
#define SCN_RUNTIME_LIB_CPU_SANITIZERS_H

#if defined(__SANITIZE_ADDRESS__)
#define SCN_UNDER_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCN_UNDER_ADDRESS_SANITIZER 1
#endif
#endif

#endif // SCN_RUNTIME_LIB_CPU_SANITIZERS_H
