// An invariant of a fuzz target: when it fails, the input is a finding (libFuzzer saves it).
#pragma once

#include <cstdio>
#include <cstdlib>

/// Aborts with @p what when @p cond is false.
#define SCOREPATH_FUZZ_CHECK(cond, what)                                                    \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "fuzz invariant failed at %s:%d: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)
