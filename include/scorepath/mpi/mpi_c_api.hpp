/**
 * @file mpi/mpi_c_api.hpp
 * @brief MPI's C interface, the only one scorepath uses: the deprecated C++ bindings that some
 *        MPI libraries' mpi.h pulls into C++ code (and that warn under -Wextra) are left out.
 */
#pragma once

#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>
