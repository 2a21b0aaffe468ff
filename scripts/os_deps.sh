#!/usr/bin/env bash
# Installs the Debian packages the project needs, when they are missing.
# As root it runs apt-get; otherwise it prints the one command to run and fails.
# Usage: scripts/os_deps.sh [extra-package ...]
# (make lint asks for its checkers as extras: postgresql-15-plpgsql-check and
# prometheus, whose promtool checks and unit-tests deploy/prometheus/.)
set -euo pipefail

packages=(postgresql-15 postgresql-15-cron postgresql-plperl-15 libpq-dev python3-venv "$@")
missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# python3-venv is only needed when the interpreter cannot make a venv by itself.
if python3 -c 'import ensurepip, venv' 2>/dev/null; then
    missing=("${missing[@]/python3-venv/}")
fi
read -r -a missing <<< "${missing[*]:-}"
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "Missing OS packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "Installing OS packages: ${missing[*]}"
quietly="$(dirname "$0")/quietly.sh"
"$quietly" "apt-get update" apt-get update
"$quietly" "installing ${missing[*]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
