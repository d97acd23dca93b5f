// The processes a command runs in: this one alone, or the ranks of MPI_COMM_WORLD when the tool
// was built with MPI and started by an MPI launcher (mpirun, mpiexec, srun).
//
// In a distributed run every rank parses and checks the same command line, rank 0 alone prints
// and writes the outputs (the other ranks' standard output and error go to /dev/null), and the
// engines that have a distributed form (simulate, ssm, train) share the work. Every rank reaches
// one agreement when its checks are over (checks_passed, at the start of a run, or on the way out
// of a command that ended before one), so a rank that failed its checks stops all ranks with its
// message instead of leaving them waiting; and every rank exits with the worst status of all.
#pragma once

#include <string>

namespace scorepath::cli {

/// Where this process stands among the processes of the run.
struct process_group {
  int rank = 0;        ///< this process's rank (0 alone)
  int size = 1;        ///< ranks in the run (1 alone)
  int local_rank = 0;  ///< rank among the ranks on this machine (chooses the GPU)
  int local_size = 1;  ///< ranks on this machine
  /// More than one process shares the run.
  bool distributed() const { return size > 1; }
  /// This process prints and writes the outputs.
  bool writes_outputs() const { return rank == 0; }
};

/// The processes of this run (one until start_processes found a launcher).
const process_group& processes();

/// What `scorepath info` says of MPI: the library built in and the ranks of this run, or that the
/// build has none.
std::string processes_description();

/// Starts MPI when the build has it and an MPI launcher started the tool; for main() only.
void start_processes(int* argc, char*** argv);

/**
 * @brief Ends the checks of this rank: returns when every rank passed its own.
 * @throw rank_stopped with the status and message of the lowest rank that failed
 */
void checks_passed();

/// Ends the run: reaches the checks' agreement if this rank never did (with @p status and the
/// last reported error), stops MPI, and returns the worst exit status of all ranks.
int finish_processes(int status);

}  // namespace scorepath::cli
