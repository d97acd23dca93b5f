#!/usr/bin/env bash
# Strong and weak scaling of `scorepath simulate` over MPI ranks on this machine: path-steps per
# second of a 1-D Ornstein-Uhlenbeck ensemble (float, statistics at 4 save points), each rank one
# CPU thread bound to its own core, for 1 … R ranks (R: the cores, or the first argument).
#   strong: the same paths for every rank count (ideal: R times the one-rank rate)
#   weak:   the same paths per rank (ideal: R times the one-rank rate at R times the paths)
# Each figure is the best of 3 runs; the table is markdown on standard output.
# Usage: bench/mpi_scaling.sh [MAX_RANKS]    (SCOREPATH: the tool, default build/apps/scorepath)
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${SCOREPATH:-build/apps/scorepath}
max=${1:-$(nproc)}
launcher=(mpirun)
mpi_version=$(mpirun --version 2>/dev/null || true)  # read whole: no early exit under pipefail
if [[ $mpi_version == *"Open MPI"* ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  export OMPI_MCA_btl_vader_single_copy_mechanism=none
  launcher=(mpirun --bind-to core --map-by core)
fi
strong_paths=$((1 << 23))
weak_paths=$((1 << 22))
steps=256

# rate RANKS PATHS: the best path-steps/s of three runs
rate() {
  local best=0 r
  for _ in 1 2 3; do
    r=$("${launcher[@]}" -np "$1" "$cli" simulate --sde ou --paths "$2" --steps "$steps" \
          --save-every $((steps / 4)) --threads 1 --backend cpu |
        sed -n 's/.*s, \([0-9.e+]*\) path-steps\/s.*/\1/p')
    best=$(python3 -c "print(max($best, $r))")
  done
  echo "$best"
}

echo "scorepath simulate, OU 1-D float, $steps steps; $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo
echo "| ranks | strong: paths | path-steps/s | speed-up | weak: paths | path-steps/s | efficiency |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
base_strong="" base_weak=""
for ((ranks = 1; ranks <= max; ranks++)); do
  s=$(rate "$ranks" "$strong_paths")
  w=$(rate "$ranks" $((weak_paths * ranks)))
  base_strong=${base_strong:-$s}
  base_weak=${base_weak:-$w}
  python3 - "$ranks" "$strong_paths" "$s" "$base_strong" $((weak_paths * ranks)) "$w" "$base_weak" <<'PY'
import sys
r, sp, s, bs, wp, w, bw = sys.argv[1:]
r = int(r)
print(f"| {r} | {int(sp):,} | {float(s):.3e} | {float(s)/float(bs):.2f}x | {int(wp):,} | "
      f"{float(w):.3e} | {float(w)/(r*float(bw)):.0%} |")
PY
done
