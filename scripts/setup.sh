#!/usr/bin/env bash
# Installs what mnemo needs on Debian 12 (only what is missing), then configures and builds it.
# Usage: scripts/setup.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
shift || true

PACKAGES=(g++ cmake make libdnnl-dev ocl-icd-opencl-dev libboost-program-options-dev
          libbenchmark-dev catch2 libeigen3-dev libzip-dev pkg-config
          libopenmpi-dev openmpi-bin  # MPI: mpirun mnemo sweep / train (optional to the build)
          # the Python module (python/) and the headless run of examples/notebook.ipynb
          pybind11-dev python3-dev python3-numpy jupyter-nbconvert python3-ipykernel python3-matplotlib)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "mnemo setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "$@" > /dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
