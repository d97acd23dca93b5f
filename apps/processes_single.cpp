// The processes of a build without MPI: this one alone.
#include "processes.hpp"

namespace scorepath::cli {

const process_group& processes() {
  static const process_group alone;
  return alone;
}
std::string processes_description() {
  return "not built (install an MPI and configure with SCOREPATH_MPI=AUTO or ON); one process";
}
void start_processes(int*, char***) {}
void checks_passed() {}
int finish_processes(int status) { return status; }

}  // namespace scorepath::cli
