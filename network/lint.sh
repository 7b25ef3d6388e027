#!/usr/bin/env bash
# Run shellcheck on every bash script in the repo (network scripts, builders, CI).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t scripts < <(git ls-files -co --exclude-standard '*.sh' 'network/builders/*/bin/*' '.ci/run' | sort -u)
if ((${#scripts[@]} == 0)); then
  echo "no scripts to check" >&2
  exit 1
fi
command -v shellcheck >/dev/null || { echo "error: shellcheck is not installed (apt-get install shellcheck)" >&2; exit 1; }
shellcheck "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
