// Shared by the GPU tests: skip the test when no CUDA device is found.
#pragma once

#include <gtest/gtest.h>

#include "scorepath/context.hpp"

#define SCOREPATH_REQUIRE_GPU()                                                        \
  do {                                                                                \
    if (::scorepath::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device found"; \
  } while (0)
