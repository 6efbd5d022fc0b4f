#!/usr/bin/env bash
# Make one virtual environment per peer framework for the benchmarks (never needed by the test command).
# Usage: bash benchmarks/peers/setup.sh [DIR] [peer ...]   (DIR default: benchmarks/peers/.venvs; peers: spyx brian2)
# Pinned versions: Spyx 1.0.0 (Flax NNX; installs jax 0.10.2, the same as neurosim's here);
# Brian2 2.9.0 with Cython (needs numpy < 2.3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/.venvs}"
shift || true
if [ $# -eq 0 ]; then peers=(spyx brian2); else peers=("$@"); fi
mkdir -p "$dir"
for peer in "${peers[@]}"; do
  case "$peer" in
    spyx) pins=("spyx==1.0.0" "optax") ;;
    brian2) pins=("brian2==2.9.0" "numpy<2.3" "cython" "setuptools") ;;
    *) echo "unknown peer: $peer (known: spyx brian2)" >&2; exit 2 ;;
  esac
  if [ ! -x "$dir/$peer/bin/python" ]; then python3 -m venv "$dir/$peer"; fi
  "$dir/$peer/bin/pip" install -q "${pins[@]}"
  echo "$peer: $dir/$peer"
done
