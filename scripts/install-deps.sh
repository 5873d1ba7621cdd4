#!/usr/bin/env bash
# Installs what StockSentry needs on a bare Debian machine that has the Swift toolchain:
#   librdkafka-dev + pkg-config (to build); with --python (what the tests need) also kcat, the repo's
#   .venv with confluent-kafka and jsonschema (scripts/python-env.sh), and Debian's chromium for the
#   backtest report's screenshot test (best effort: without it that one test is skipped, saying so).
# Idempotent: does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

want_python=false
[ "${1:-}" = "--python" ] && want_python=true

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "install-deps: need root (or sudo) to run: $*" >&2; exit 1
    fi
}

packages=()
pkg-config --exists rdkafka 2>/dev/null || packages+=(librdkafka-dev)
command -v pkg-config >/dev/null || packages+=(pkg-config)
if $want_python; then
    command -v kcat >/dev/null || packages+=(kcat)
fi
if [ ${#packages[@]} -gt 0 ]; then
    echo "install-deps: installing ${packages[*]} with apt-get" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if $want_python && ! command -v chromium >/dev/null; then
    echo "install-deps: installing chromium with apt-get (for the HTML report's screenshot test)" >&2
    [ ${#packages[@]} -gt 0 ] || as_root apt-get update -qq || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
        || echo "install-deps: chromium could not be installed; BacktestHTMLTests' screenshot test will be skipped" >&2
fi

if $want_python; then
    scripts/python-env.sh >/dev/null
fi
