#!/usr/bin/env bash
# Installs the Debian packages scorepath builds against (no-op when they are all present),
# Open MPI among them for the distributed engines (scorepath::mpi) and `mpirun scorepath`.
# The CUDA toolkit (nvcc, cuRAND, CCCL) is expected under /usr/local/cuda or on PATH.
set -euo pipefail

packages=(cmake g++ make ninja-build libgtest-dev libgmock-dev libbenchmark-dev libsleef-dev
          libcli11-dev nlohmann-json3-dev libopenblas-openmp-dev libopenmpi-dev openmpi-bin python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "scorepath setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v nvcc >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/nvcc ]; then
  echo "scorepath setup: add /usr/local/cuda/bin to PATH to build the CUDA backend"
fi
