// A path ensemble shared among the ranks of MPI_COMM_WORLD: every rank simulates its share of a
// million Ornstein–Uhlenbeck paths, and every rank gets the statistics of the whole ensemble,
// bitwise those of a one-process run (which rank 0 also makes here, to show it).
#include <cstdio>
#include <cstring>
#include <vector>

#include <scorepath/ensemble.hpp>
#include <scorepath/mpi/ensemble.hpp>
#include <scorepath/sdes/ornstein_uhlenbeck.hpp>

int main(int argc, char** argv) {
  int provided = 0;  // OpenMP threads run between MPI calls; only the main thread calls MPI
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  const scorepath::context ctx(scorepath::backend_choice::cpu);
  const scorepath::ornstein_uhlenbeck<double, 2> ou(1.0, 0.5, 0.3);
  scorepath::em_options opt;
  opt.paths = 1'000'000;
  opt.steps = 16;
  opt.statistics = true;
  scorepath::rng_stream rng(7);
  const scorepath::em_report shared =
      scorepath::mpi::simulate_em(MPI_COMM_WORLD, ctx, rng, ou, {0.0, 1.0}, opt);
  const scorepath::item_share mine = scorepath::mpi::local_share(MPI_COMM_WORLD, opt.paths);
  std::printf("rank %d of %d simulated paths [%llu, %llu)\n", rank, ranks,
              static_cast<unsigned long long>(mine.begin),
              static_cast<unsigned long long>(mine.begin + mine.count));

  int status = 0;
  if (rank == 0) {
    scorepath::rng_stream alone_rng(7);
    const scorepath::em_report alone = scorepath::simulate_em(ctx, alone_rng, ou, {0.0, 1.0}, opt);
    for (std::size_t i = 0; i < alone.statistics.size(); ++i) {
      const double a = alone.statistics[i].mean, b = shared.statistics[i].mean;
      std::printf("component %zu: mean %.17g over %d ranks, %.17g in one process\n", i, b, ranks,
                  a);
      if (std::memcmp(&a, &b, sizeof a) != 0) status = 1;
    }
    std::printf(status == 0 ? "bitwise equal\n" : "DIFFERENT\n");
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return status;
}
