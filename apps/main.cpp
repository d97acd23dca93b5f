// The scorepath command-line tool. Exit codes: 0 success, 1 run-time failure, 2 bad arguments.
#include "cli_app.hpp"

int main(int argc, char** argv) {
  return scorepath::cli::run_cli(argc, argv, scorepath::cli::cli_mode::run);
}
