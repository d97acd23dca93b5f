// The main of the distributed tests: MPI is started before GoogleTest and ended after it. Every
// rank runs every test; a failure on any rank fails that rank's exit status, and mpirun's.
// Only rank 0 prints GoogleTest's progress.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

int main(int argc, char** argv) {
  int provided = 0;  // OpenMP threads run between MPI calls; only the main thread calls MPI
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  ::testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int status = RUN_ALL_TESTS();
  // Every rank learns whether any failed, so that mpirun's status and rank 0's output agree.
  int worst = status;
  MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0 && worst != status) {
    std::fprintf(stderr, "a test failed on another rank (its output is not printed)\n");
  }
  MPI_Finalize();
  return worst;
}
