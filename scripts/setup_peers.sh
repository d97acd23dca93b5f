#!/usr/bin/env bash
# Installs the peer libraries that bench/peers/peers.py compares scorepath against:
# NumPy and PyTorch (CPU) for the system python3, and QuantLib's C++ headers and library.
# A no-op when they are all present. Debian bookworm package names.
#
# PyTorch's matrix products go through the system BLAS (libblas.so.3). Without an optimised one
# Debian falls back to the netlib reference BLAS, which would make PyTorch several times slower
# than it is, so OpenBLAS (OpenMP build: it follows OMP_NUM_THREADS like PyTorch) is installed
# explicitly rather than left to "Recommends".
set -euo pipefail

packages=(python3 python3-numpy python3-torch libopenblas0-openmp libquantlib0-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "scorepath peers setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
else
  echo "scorepath peers setup: all peer packages present"
fi

# Debian's python3-numpy / python3-torch live in /usr/lib/python3/dist-packages and are seen by
# /usr/bin/python3; another python3 earlier on PATH (pyenv, venv) will not see them.
/usr/bin/python3 - <<'PY'
import importlib
for name in ("numpy", "torch"):
    try:
        m = importlib.import_module(name)
        print(f"scorepath peers setup: {name} {m.__version__}")
    except Exception as e:  # report, do not fail: peers.py skips what is missing
        print(f"scorepath peers setup: {name} not importable by /usr/bin/python3 ({e})")
PY
