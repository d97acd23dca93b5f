# Finds what scorepath builds against and decides whether the CUDA backend is built.
#
# Sets: SCOREPATH_HAVE_CUDA, SCOREPATH_HAVE_MPI, SCOREPATH_HAVE_OPENBLAS (with SCOREPATH_OPENBLAS_LIBRARY),
# SCOREPATH_CPU_FLAGS, SCOREPATH_CPU_ARCH_RESOLVED (the -march= name the
# CPU backend is compiled for, never "native"), and the imported target SLEEF::sleef.
include(CheckCXXCompilerFlag)

find_package(OpenMP REQUIRED COMPONENTS CXX)
# SLEEF gives the CPU backend vectorised log and sincospi for Box-Muller normals.
find_package(SLEEF REQUIRED)

# OpenBLAS, the OpenMP flavour (Debian: libopenblas-openmp-dev), for the matrix products of the
# training and sampling engines: called from a thread of a parallel region it runs on that thread
# alone and is safe to call from several at once (the serial flavour is not). The library loads
# it at run time (host/matrix_product.cpp) from the directory found here. AUTO uses it when found;
# OFF builds the library's own loops only (matrix_product.hpp).
set(SCOREPATH_BLAS "AUTO" CACHE STRING "OpenBLAS (OpenMP flavour) for matrix products: AUTO, ON or OFF")
set(SCOREPATH_HAVE_OPENBLAS OFF)
if(NOT SCOREPATH_BLAS STREQUAL "OFF")
  find_library(SCOREPATH_OPENBLAS_LIBRARY openblas
               PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp NO_DEFAULT_PATH)
  if(SCOREPATH_OPENBLAS_LIBRARY)
    set(SCOREPATH_HAVE_OPENBLAS ON)
  elseif(SCOREPATH_BLAS STREQUAL "ON")
    message(FATAL_ERROR "SCOREPATH_BLAS=ON but OpenBLAS (OpenMP flavour) was not found: install "
                        "libopenblas-openmp-dev (scripts/setup.sh does)")
  endif()
endif()
message(STATUS "scorepath: OpenBLAS ${SCOREPATH_HAVE_OPENBLAS}")

# The CPU backend needs nothing from the CUDA toolkit: the toolkit is looked for only when the CUDA
# backend may be built (the test suite looks for it on its own, to compare with cuRAND).
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
    find_package(CUDAToolkit REQUIRED)
    set(SCOREPATH_HAVE_CUDA ON)
  elseif(SCOREPATH_CUDA STREQUAL "ON")
    message(FATAL_ERROR "SCOREPATH_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
elseif(NOT SCOREPATH_CUDA STREQUAL "OFF")
  message(FATAL_ERROR "SCOREPATH_CUDA must be AUTO, ON or OFF, not '${SCOREPATH_CUDA}'")
endif()
message(STATUS "scorepath: CUDA backend ${SCOREPATH_HAVE_CUDA}")

# MPI (Debian: libopenmpi-dev and openmpi-bin) for the distributed engines of the target
# scorepath::mpi; the main library never links it. AUTO builds them when an MPI is found.
set(SCOREPATH_HAVE_MPI OFF)
if(SCOREPATH_MPI STREQUAL "ON" OR SCOREPATH_MPI STREQUAL "AUTO")
  # Found as the C++ component, which needs no C compiler; scorepath itself calls only MPI's C
  # interface (include/scorepath/mpi/mpi_c_api.hpp).
  find_package(MPI COMPONENTS CXX)
  if(MPI_CXX_FOUND)
    set(SCOREPATH_HAVE_MPI ON)
  elseif(SCOREPATH_MPI STREQUAL "ON")
    message(FATAL_ERROR "SCOREPATH_MPI=ON but no MPI was found: install libopenmpi-dev "
                        "and openmpi-bin (scripts/setup.sh does)")
  endif()
elseif(NOT SCOREPATH_MPI STREQUAL "OFF")
  message(FATAL_ERROR "SCOREPATH_MPI must be AUTO, ON or OFF, not '${SCOREPATH_MPI}'")
endif()
message(STATUS "scorepath: MPI ${SCOREPATH_HAVE_MPI}")

# The instruction set is recorded by name: "native" is resolved here to what the compiler picks for
# this machine, so that the installed package names the CPU the library was built for rather than
# meaning whatever CPU its consumer happens to build on.
set(SCOREPATH_CPU_FLAGS -fno-math-errno -Wno-psabi)
set(SCOREPATH_CPU_ARCH_RESOLVED "")
if(SCOREPATH_CPU_ARCH)
  set(SCOREPATH_CPU_ARCH_RESOLVED "${SCOREPATH_CPU_ARCH}")
  if(SCOREPATH_CPU_ARCH STREQUAL "native")
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -march=native -Q --help=target
                    OUTPUT_VARIABLE _sp_target_help ERROR_QUIET RESULT_VARIABLE _sp_rc)
    string(REGEX MATCH "\n[ \t]*-march=[ \t]+([A-Za-z0-9_.-]+)" _sp_match "${_sp_target_help}")
    if(_sp_rc EQUAL 0 AND CMAKE_MATCH_1)
      set(SCOREPATH_CPU_ARCH_RESOLVED "${CMAKE_MATCH_1}")
    else()
      message(WARNING "scorepath: could not resolve -march=native to a name with "
                      "${CMAKE_CXX_COMPILER}; set SCOREPATH_CPU_ARCH explicitly")
    endif()
  endif()
  check_cxx_compiler_flag("-march=${SCOREPATH_CPU_ARCH_RESOLVED}" SCOREPATH_HAS_MARCH)
  if(SCOREPATH_HAS_MARCH)
    list(APPEND SCOREPATH_CPU_FLAGS "-march=${SCOREPATH_CPU_ARCH_RESOLVED}")
  else()
    message(WARNING "scorepath: ${CMAKE_CXX_COMPILER} does not take "
                    "-march=${SCOREPATH_CPU_ARCH_RESOLVED}; building for its default")
    set(SCOREPATH_CPU_ARCH_RESOLVED "")
  endif()
endif()
message(STATUS "scorepath: CPU backend built for -march=${SCOREPATH_CPU_ARCH_RESOLVED}")
