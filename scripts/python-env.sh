#!/usr/bin/env bash
# Creates (or repairs) the repository's Python venv at .venv with the cross-check client's
# dependencies — confluent-kafka, jsonschema (with its format checkers) and PyYAML — and prints
# the venv's python path on stdout. Idempotent: a healthy venv with the packages is left alone.
#
#   PY=$(scripts/python-env.sh) && "$PY" scripts/kafkacheck.py --help
#
# Environment: PYTHON (interpreter to build the venv from; default python3), VENV_DIR (default
# <repo>/.venv). Everything but the final path goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${VENV_DIR:-$root/.venv}"
python="${PYTHON:-python3}"
packages=(confluent-kafka "jsonschema[format-nongpl]" pyyaml)
log() { echo "python-env: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        log "need root (or sudo) to run: $*"; exit 1
    fi
}

healthy() {
    [ -x "$venv/bin/python" ] && "$venv/bin/python" - <<'PY' >/dev/null 2>&1
import confluent_kafka, jsonschema, yaml
from jsonschema import Draft202012Validator
PY
}

if healthy; then
    echo "$venv/bin/python"
    exit 0
fi

if ! command -v "$python" >/dev/null; then
    log "no $python; installing python3 with apt-get"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >&2
fi

# A venv whose interpreter is missing or cannot import its own pip is broken: rebuild it.
if [ -e "$venv" ] && ! { [ -x "$venv/bin/python" ] && "$venv/bin/python" -m pip --version >/dev/null 2>&1; }; then
    log "removing broken venv at $venv"
    rm -rf "$venv"
fi

if [ ! -e "$venv" ]; then
    if ! "$python" -m venv "$venv" >&2 2>/dev/null; then
        rm -rf "$venv"
        log "the venv module (or ensurepip) is missing; installing python3-venv with apt-get"
        as_root apt-get update -qq
        version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2 \
            || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${version}-venv" >&2
        "$python" -m venv "$venv" >&2
    fi
fi

log "installing ${packages[*]} into $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${packages[@]}" >&2

if ! healthy; then
    log "the venv at $venv still cannot import confluent_kafka, jsonschema and yaml"
    exit 1
fi
echo "$venv/bin/python"
