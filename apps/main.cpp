// The scorepath command-line tool.
//
// Exit statuses:
//   0    success: the command ran and every output was written
//   1    a run-time failure: an output or standard output could not be written (the destination
//        keeps its previous contents), memory ran out, a backend failed
//   2    bad arguments, found before anything ran or was written (options, input files, output
//        paths that cannot be written, an output on an input's or another output's file)
//   3    the run completed and wrote its outputs, but statistics or losses are not finite
//   128+N  ended by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP); temporaries removed
//
// Started by an MPI launcher (mpirun -np R scorepath ...), every rank exits with the worst status
// of all ranks, and rank 0 prints the message.
#include "cli_app.hpp"
#include "output_file.hpp"
#include "processes.hpp"

int main(int argc, char** argv) {
  scorepath::cli::start_processes(&argc, &argv);
  scorepath::cli::remove_temporaries_on_signals();
  const int status = scorepath::cli::run_cli(argc, argv, scorepath::cli::cli_mode::run);
  return scorepath::cli::finish_processes(status);
}
