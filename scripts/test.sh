#!/usr/bin/env bash
# The README's test command: set up everything on a fresh machine, then run
# lint, unit tests and integration tests (on live networks of the test run's own,
# started and stopped by the tests from CIVIC_TEST_BASE_PORT, default 29000: a CA-only
# network on +0 and the full Fabric network that the integration suites share on +200),
# then the reliability suite (faults under load) on a network of its own on +700.
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
status=0
summaries=()

# run_jest NAME LIMIT ARGS...: one jest run (--runInBand) under a time limit, its JSON results
# summed into `summaries`. A hung process fails the run with a clear line instead of eating CI's
# whole time budget; a suite that fails to load counts as a failure too.
run_jest() {
  local name="$1" limit="$2" results rc=0
  shift 2
  results="$(mktemp)"
  timeout --kill-after=60s "${limit}" npx jest --runInBand --json --outputFile="${results}" "$@" || rc=$?
  if [[ "${rc}" == 124 || "${rc}" == 137 ]]; then
    echo "jest (${name}): stopped after ${limit}; the suite running then hung" >&2
  fi
  if [[ -s "${results}" ]]; then
    summaries+=("$(jq -c '[.numPassedTests, .numFailedTests + .numRuntimeErrorTestSuites, .numPendingTests + .numTodoTests]' "${results}")")
  else
    echo "jest (${name}): no results (exit ${rc})" >&2
    summaries+=('[0,1,0]')
    ((rc != 0)) || rc=1
  fi
  rm -f "${results}"
  ((rc == 0)) || status="${rc}"
}

# Unit and integration projects (CIVIC_TEST_TIME_LIMIT), then the reliability suite: faults
# under load on a network of its own (CIVIC_REL_TIME_LIMIT; CIVIC_SKIP_RELIABILITY=1 leaves it out).
run_jest "unit and integration" "${CIVIC_TEST_TIME_LIMIT:-62m}"
if [[ "${CIVIC_SKIP_RELIABILITY:-0}" != 1 ]]; then
  run_jest reliability "${CIVIC_REL_TIME_LIMIT:-20m}" --config jest.reliability.config.js
fi
printf '%s\n' "${summaries[@]}" | jq -rs 'transpose | map(add) | "jest: \(.[0]) passed, \(.[1]) failed, \(.[2]) skipped"'
exit "${status}"
