// The processes of a build with MPI: the ranks of MPI_COMM_WORLD when an MPI launcher started
// the tool, else this process alone (MPI is not started then).
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "cli_app.hpp"
#include "processes.hpp"
#include "scorepath/mpi/rank_failures.hpp"

namespace scorepath::cli {
namespace {

process_group group;
bool started = false;
bool checks_agreed = false;

/// True when a launcher started this process as a rank: each sets one of these in the
/// environment of its ranks (Open MPI's mpirun, PMIx-based launchers such as srun, MPICH's Hydra).
bool launched_by_mpi() {
  const char* names[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE",
                         "MPI_LOCALNRANKS"};
  for (const char* name : names) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

/// The exit status and message of the lowest rank whose @p status is not 0 (status 0 when none),
/// and that rank in @p from.
int lowest_failure(int status, const std::string& message, std::string& agreed, int& from) {
  const int candidate = status != 0 ? group.rank : group.size;
  MPI_Allreduce(&candidate, &from, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (from == group.size) return 0;
  int agreed_status = status;
  MPI_Bcast(&agreed_status, 1, MPI_INT, from, MPI_COMM_WORLD);
  std::string text = group.rank == from ? message : std::string();
  mpi::detail::broadcast_text(MPI_COMM_WORLD, from, text);
  agreed = std::move(text);
  return agreed_status;
}

std::string rank_text(int rank) {
  return " (rank " + std::to_string(rank) + " of " + std::to_string(group.size) + ")";
}

}  // namespace

const process_group& processes() { return group; }

std::string processes_description() {
  char version[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(version, &length);
  std::string library(version, static_cast<std::size_t>(length));
  library = library.substr(0, library.find_first_of(",\n"));
  const std::string ranks =
      started ? std::to_string(group.size) + " rank" + (group.size == 1 ? "" : "s") + " (" +
                    std::to_string(group.local_size) + " on this machine)"
              : std::string("one process (not started by an MPI launcher)");
  return "built with " + library + "; " + ranks;
}

void start_processes(int* argc, char*** argv) {
  if (!launched_by_mpi()) return;
  // OpenMP threads run between MPI calls; only the main thread calls MPI.
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  started = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &group.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &group.size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, group.rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &group.local_rank);
  MPI_Comm_size(node, &group.local_size);
  MPI_Comm_free(&node);
  if (group.rank != 0) {
    // Rank 0 speaks for the run; every failure reaches it through the agreements.
    (void)std::freopen("/dev/null", "w", stdout);
    (void)std::freopen("/dev/null", "w", stderr);
  }
}

void checks_passed() {
  if (!started || checks_agreed) return;
  checks_agreed = true;
  std::string message;
  int from = 0;
  const int status = lowest_failure(0, "", message, from);
  if (status != 0) throw rank_stopped(status, message + rank_text(from));
}

int finish_processes(int status) {
  if (!started) return status;
  if (!checks_agreed) {
    checks_agreed = true;
    std::string message = last_reported_error();
    while (!message.empty() && message.back() == '\n') message.pop_back();
    int from = 0;
    const int agreed = lowest_failure(status, message, message, from);
    if (agreed != 0 && from != group.rank) {
      std::fprintf(stderr, "%s%s\n", message.c_str(), rank_text(from).c_str());
      status = agreed;
    }
  }
  int worst = status;
  MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return worst;
}

}  // namespace scorepath::cli
