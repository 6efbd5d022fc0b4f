#!/usr/bin/env bash
# Make one virtual environment per peer framework for the benchmarks (never needed by the test command).
# Usage: bash benchmarks/peers/setup.sh [DIR] [peer ...]   (DIR default: benchmarks/peers/.venvs; peers: spyx)
# Pinned versions: Spyx 1.0.0 (Flax NNX; installs jax 0.10.2, the same as neurosim's here).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/.venvs}"
shift || true
peers=("${@:-spyx}")
mkdir -p "$dir"
for peer in "${peers[@]}"; do
  case "$peer" in
    spyx) pins=("spyx==1.0.0" "optax") ;;
    *) echo "unknown peer: $peer (known: spyx)" >&2; exit 2 ;;
  esac
  if [ ! -x "$dir/$peer/bin/python" ]; then python3 -m venv "$dir/$peer"; fi
  "$dir/$peer/bin/pip" install -q "${pins[@]}"
  echo "$peer: $dir/$peer"
done
