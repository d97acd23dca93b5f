// The pitched-copy limit of the CUDA staging (detail/copy_pitch.hpp): per-path outputs whose row
// pitch reaches 2^31 bytes (2^28 double or 2^29 float paths) move row by row, smaller ones in one
// pitched copy.
#include <gtest/gtest.h>

#include <cstdint>

#include "scorepath/detail/copy_pitch.hpp"

namespace scorepath {
namespace {

using detail::fits_one_pitched_copy;

TEST(CopyPitch, RunsBelowTwoToTheThirtyOneBytesFitOnePitchedCopy) {
  const std::uint64_t chunk = std::uint64_t{1} << 20;  // the engine's chunk of paths
  for (std::uint64_t paths : {std::uint64_t{1} << 20, (std::uint64_t{1} << 28) - 1}) {
    EXPECT_TRUE(fits_one_pitched_copy(paths * sizeof(double), chunk * sizeof(double),
                                      chunk * sizeof(double)))
        << paths;
  }
  EXPECT_TRUE(fits_one_pitched_copy(((std::uint64_t{1} << 29) - 1) * sizeof(float),
                                    chunk * sizeof(float), chunk * sizeof(float)));
}

TEST(CopyPitch, LargerRunsMoveRowByRow) {
  const std::uint64_t chunk = std::uint64_t{1} << 20;
  EXPECT_FALSE(fits_one_pitched_copy((std::uint64_t{1} << 28) * sizeof(double),
                                     chunk * sizeof(double), chunk * sizeof(double)));
  EXPECT_FALSE(fits_one_pitched_copy((std::uint64_t{1} << 29) * sizeof(float),
                                     chunk * sizeof(float), chunk * sizeof(float)));
  EXPECT_FALSE(fits_one_pitched_copy(64, std::uint64_t{1} << 31, 64));
  EXPECT_FALSE(fits_one_pitched_copy(64, 64, std::uint64_t{1} << 31));
}

}  // namespace
}  // namespace scorepath
