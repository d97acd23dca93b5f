// Shared by the GPU tests: skip the test when no CUDA device is found, or none this build has
// kernels for.
#pragma once

#include <gtest/gtest.h>

#include "scorepath/context.hpp"

#define SCOREPATH_REQUIRE_GPU()                                                              \
  do {                                                                                      \
    if (::scorepath::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device found";       \
    if (!::scorepath::cuda_device_usable(0)) {                                              \
      GTEST_SKIP() << "device 0 has no kernels in this build (built for "                   \
                   << ::scorepath::cuda_architectures() << ")";                             \
    }                                                                                       \
  } while (0)
