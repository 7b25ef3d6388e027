# shellcheck shell=bash
# Shared helpers for the network scripts: paths, pinned versions, progress output.
# Sourced, never executed. Callers set `set -euo pipefail` themselves.

NETWORK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "${NETWORK_DIR}/.." && pwd)"
export NETWORK_DIR REPO_DIR

# shellcheck source=network/fabric-version.env
source "${NETWORK_DIR}/fabric-version.env"

# Binary cache outside the repo, shared by every clone and CI run on this machine.
CIVIC_CACHE_DIR="${CIVIC_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME}/.cache}/civic-ledger}"
FABRIC_HOME="${CIVIC_CACHE_DIR}/fabric-${FABRIC_VERSION}-${FABRIC_COMMIT:0:12}"
FABRIC_CA_HOME_DIR="${CIVIC_CACHE_DIR}/fabric-ca-${FABRIC_CA_VERSION}"
export CIVIC_CACHE_DIR FABRIC_HOME FABRIC_CA_HOME_DIR

# Where a network's generated state lives (crypto material, ledgers, logs, pids).
CIVIC_NETWORK_HOME="${CIVIC_NETWORK_HOME:-${REPO_DIR}/.network}"
# Connection profiles: the repo's connection-profiles/ for the default network,
# the network's own folder for any other (a test run beside a demo).
if [[ "${CIVIC_NETWORK_HOME}" == "${REPO_DIR}/.network" ]]; then
  CIVIC_PROFILES_DIR="${CIVIC_PROFILES_DIR:-${REPO_DIR}/connection-profiles}"
else
  CIVIC_PROFILES_DIR="${CIVIC_PROFILES_DIR:-${CIVIC_NETWORK_HOME}/connection-profiles}"
fi
export CIVIC_NETWORK_HOME CIVIC_PROFILES_DIR

# shellcheck disable=SC2034 # used by the scripts that source this file
FABRIC_TOOLS=(peer orderer configtxgen osnadmin configtxlator)
# shellcheck disable=SC2034
FABRIC_CA_TOOLS=(fabric-ca-server fabric-ca-client)

# log_info MESSAGE: one progress line on stderr.
log_info() {
  printf '  %s\n' "$*" >&2
}

# log_error MESSAGE: one error line on stderr.
log_error() {
  printf 'error: %s\n' "$*" >&2
}

# run_step TITLE COMMAND...: run a step in a subshell with errexit in force
# (a bare `if cmd` would switch errexit off inside cmd), printing its title and
# how long it took. Returns the step's exit status.
run_step() {
  local title="$1" started=${SECONDS} rc=0
  shift
  printf '▶ %s\n' "${title}" >&2
  set +e
  (
    set -e
    "$@"
  )
  rc=$?
  set -e
  if ((rc == 0)); then
    printf '✔ %s (%ss)\n' "${title}" "$((SECONDS - started))" >&2
  else
    printf '✘ %s failed after %ss\n' "${title}" "$((SECONDS - started))" >&2
  fi
  return "${rc}"
}

# find_tool NAME: print the path of a Fabric or Fabric CA binary, searching
# $FABRIC_BIN, the version cache, then PATH. Returns 1 when absent.
find_tool() {
  local name="$1" dir
  for dir in "${FABRIC_BIN:-}" "${FABRIC_HOME}/bin" "${FABRIC_CA_HOME_DIR}/bin"; do
    if [[ -n "${dir}" && -x "${dir}/${name}" ]]; then
      printf '%s\n' "${dir}/${name}"
      return 0
    fi
  done
  command -v "${name}" 2>/dev/null
}

# tool_version PATH: the version a Fabric or Fabric CA binary reports, or nothing
# (osnadmin has no version command; configtxgen takes -version).
tool_version() {
  local flag=version
  case "$(basename "$1")" in
    osnadmin) return 0 ;;
    configtxgen) flag=-version ;;
  esac
  { "$1" "${flag}" 2>/dev/null || true; } | awk -F': *' '/Version:/ {print $2; exit}'
}
