#!/usr/bin/env bash
# The demo, from a bare machine: installs librdkafka-dev when missing, builds, and runs
# `stocksentry demo` (dev broker + processor + a generated flash-sale session in one process).
# Extra arguments go to `stocksentry demo` (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product stocksentry
exec "$(swift build --show-bin-path)/stocksentry" demo "$@"
