#!/usr/bin/env bash
# The README's test command: set up everything on a fresh machine, then run
# lint, unit tests and integration tests (on live networks of the test run's own,
# started and stopped by the tests from CIVIC_TEST_BASE_PORT, default 29000: a CA-only
# network on +0 and the full Fabric network that the integration suites share on +200).
# Prints a closing line `jest: N passed, N failed, N skipped`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*" >&2; }

ensure_shellcheck() {
  command -v shellcheck >/dev/null && return 0
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq >/dev/null && apt-get install -y -qq shellcheck >/dev/null
  else
    echo "error: shellcheck is needed for the lint step (apt-get install shellcheck)" >&2
    return 1
  fi
}

step "npm packages"
npm ci --no-audit --no-fund
step "Fabric and Fabric CA binaries"
bash network/install-binaries.sh all
step "build"
npm run build
step "lint"
ensure_shellcheck
npm run lint
step "tests"
results="$(mktemp)"
status=0
# A hung process fails the run with a clear line instead of eating CI's whole time budget.
limit="${CIVIC_TEST_TIME_LIMIT:-75m}"
timeout --kill-after=60s "${limit}" npx jest --runInBand --json --outputFile="${results}" || status=$?
if [[ "${status}" == 124 || "${status}" == 137 ]]; then
  echo "jest: stopped after ${limit} (CIVIC_TEST_TIME_LIMIT); the suite running then hung" >&2
fi
[[ -s "${results}" ]] || { echo "jest: no results (exit ${status})"; exit "${status}"; }
# A suite that fails to load counts as a failure too.
jq -r '"jest: \(.numPassedTests) passed, \(.numFailedTests + .numRuntimeErrorTestSuites) failed, \(.numPendingTests + .numTodoTests) skipped"' "${results}"
rm -f "${results}"
exit "${status}"
