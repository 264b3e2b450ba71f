#!/usr/bin/env bash
# Installs the Debian 12 packages Strata needs, if any are missing.
#   scripts/deps.sh [--bench] [--clang]
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config libabsl-dev libxxhash-dev
          nlohmann-json3-dev libgtest-dev libgmock-dev libedit-dev libhnswlib-dev
          libutf8proc-dev libstemmer-dev)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(libbenchmark-dev libsqlite3-dev librocksdb-dev liblmdb-dev python3) ;;
    --clang) packages+=(clang) ;;
    *) echo "deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
