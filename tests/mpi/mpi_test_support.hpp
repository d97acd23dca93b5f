// Helpers of the distributed tests: the rank and size of a communicator and bitwise comparison
// of statistics.
#pragma once

#include <mpi.h>

#include <cstring>

#include "scorepath/moments.hpp"
#include "scorepath/ssm.hpp"

namespace scorepath::mpi_test {

inline int rank_of(MPI_Comm comm) {
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}
inline int size_of(MPI_Comm comm) {
  int s = 1;
  MPI_Comm_size(comm, &s);
  return s;
}

template <class A>
bool same_bytes(const A& a, const A& b) {
  return std::memcmp(&a, &b, sizeof(A)) == 0;
}
inline bool same_bits(const moment_summary& a, const moment_summary& b) {
  return same_bytes(a.mean, b.mean) && same_bytes(a.variance, b.variance) &&
         same_bytes(a.std_error, b.std_error) && same_bytes(a.min, b.min) &&
         same_bytes(a.max, b.max) && a.count == b.count;
}
inline bool same_bits(const loss_estimate& a, const loss_estimate& b) {
  return same_bytes(a.value, b.value) && same_bytes(a.std_error, b.std_error) &&
         a.count == b.count;
}

}  // namespace scorepath::mpi_test
