#!/usr/bin/env bash
# The whole test suite, from a bare machine: installs librdkafka-dev, kcat and the Python venv
# (confluent-kafka, jsonschema) when missing, builds, then runs every test target. Extra
# arguments go to `swift test` (e.g. --filter StockModelTests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --python
swift build
swift test "$@"
