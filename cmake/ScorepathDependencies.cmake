# Finds what scorepath builds against and decides whether the CUDA backend is built.
#
# Sets: SCOREPATH_HAVE_CUDA, SCOREPATH_CUDA_INCLUDE_DIRS, SCOREPATH_CPU_FLAGS.
include(CheckCXXCompilerFlag)

find_package(OpenMP REQUIRED COMPONENTS CXX)

# The CUDA toolkit's headers are used by both backends (cuRAND's Philox, Thrust/CUB), so the
# toolkit is required even when the CUDA backend is switched off.
find_package(CUDAToolkit REQUIRED)
set(SCOREPATH_CUDA_INCLUDE_DIRS ${CUDAToolkit_INCLUDE_DIRS})
if(EXISTS "${CUDAToolkit_INCLUDE_DIRS}/cccl")
  list(APPEND SCOREPATH_CUDA_INCLUDE_DIRS "${CUDAToolkit_INCLUDE_DIRS}/cccl")
endif()

set(SCOREPATH_HAVE_CUDA OFF)
if(SCOREPATH_CUDA STREQUAL "ON" OR SCOREPATH_CUDA STREQUAL "AUTO")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # "native" fails where there is no GPU; build for Ampere and Hopper by default.
      set(CMAKE_CUDA_ARCHITECTURES 80 90)
    endif()
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    set(SCOREPATH_HAVE_CUDA ON)
  elseif(SCOREPATH_CUDA STREQUAL "ON")
    message(FATAL_ERROR "SCOREPATH_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
elseif(NOT SCOREPATH_CUDA STREQUAL "OFF")
  message(FATAL_ERROR "SCOREPATH_CUDA must be AUTO, ON or OFF, not '${SCOREPATH_CUDA}'")
endif()
message(STATUS "scorepath: CUDA backend ${SCOREPATH_HAVE_CUDA}")

# SLEEF gives the CPU backend vectorised log and sincospi for Box-Muller normals.
find_path(SCOREPATH_SLEEF_INCLUDE_DIR sleef.h)
find_library(SCOREPATH_SLEEF_LIBRARY sleef)
if(NOT SCOREPATH_SLEEF_INCLUDE_DIR OR NOT SCOREPATH_SLEEF_LIBRARY)
  message(FATAL_ERROR "SLEEF not found: install it (Debian: libsleef-dev, see scripts/setup.sh)")
endif()

set(SCOREPATH_CPU_FLAGS -fno-math-errno -Wno-psabi)
if(SCOREPATH_CPU_ARCH)
  check_cxx_compiler_flag("-march=${SCOREPATH_CPU_ARCH}" SCOREPATH_HAS_MARCH)
  if(SCOREPATH_HAS_MARCH)
    list(APPEND SCOREPATH_CPU_FLAGS "-march=${SCOREPATH_CPU_ARCH}")
  endif()
endif()
