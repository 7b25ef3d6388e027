#!/usr/bin/env bash
# Civic Ledger network lifecycle (DESIGN.md §2): native Fabric processes on
# 127.0.0.1, no Docker. Called by `civic network <verb>`; usable on its own.
#
#   network.sh up [--until STAGE]   bring up or resume (idempotent); stages in order:
#                                   binaries, ports, cas, identities, orderers, peers, channel, chaincode
#   network.sh deploy               install, approve and commit the civic chaincode (or upgrade it)
#   network.sh down                 stop every node, keep ledgers and crypto material
#   network.sh clean                stop and delete the network's state
#   network.sh status               JSON: nodes, ports, health
#   network.sh doctor               JSON lines: checks with a remedy for each failure
#
# Environment: CIVIC_NETWORK_HOME (state folder, default <repo>/.network),
# CIVIC_BASE_PORT (first port, default 27000), FABRIC_BIN, CIVIC_CACHE_DIR.
set -euo pipefail

# shellcheck source=network/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=network/lib/ports.sh
source "${NETWORK_DIR}/lib/ports.sh"
# shellcheck source=network/lib/process.sh
source "${NETWORK_DIR}/lib/process.sh"
# shellcheck source=network/lib/ca.sh
source "${NETWORK_DIR}/lib/ca.sh"
# shellcheck source=network/lib/doctor.sh
source "${NETWORK_DIR}/lib/doctor.sh"

STAGES=(binaries ports cas identities orderers peers channel chaincode)

stage_binaries() { bash "${NETWORK_DIR}/install-binaries.sh" "${1:-all}"; }
stage_ports() { load_port_map && log_info "ports ${CIVIC_BASE_PORT}..$((CIVIC_BASE_PORT + 59)) (map: ${PORTS_JSON})"; }

stage_cas() {
  load_port_map
  local org
  for org in "${ORGS[@]}"; do start_ca "${org}"; done
}

stage_identities() {
  load_port_map
  local org
  for org in "${ORGS[@]}"; do enroll_org "${org}"; done
  write_connection_profiles
}

# write_connection_profiles: one Fabric common connection profile per org,
# from connection-profiles/org.template.json and the port map.
write_connection_profiles() {
  local org out
  for org in "${ORGS[@]}"; do
    out="${CIVIC_PROFILES_DIR}/${org}.json"
    mkdir -p "$(dirname "${out}")"
    jq --arg org "${org}" --arg msp "$(org_msp "${org}")" \
      --arg peer "127.0.0.1:$(port_of "${org}" peer)" --arg ca "$(ca_url "${org}")" \
      --arg caName "$(ca_name "${org}")" --arg tlsRoot "$(ca_root_cert "${org}")" \
      --arg wallet "${CIVIC_WALLET}/${org}" \
      'def subst: gsub("\\$\\{ORG\\}"; $org) | gsub("\\$\\{MSP_ID\\}"; $msp) | gsub("\\$\\{PEER_ADDRESS\\}"; $peer)
          | gsub("\\$\\{CA_URL\\}"; $ca) | gsub("\\$\\{CA_NAME\\}"; $caName)
          | gsub("\\$\\{TLS_ROOT_CERT\\}"; $tlsRoot) | gsub("\\$\\{WALLET\\}"; $wallet);
        walk(if type == "object" then with_entries(.key |= subst) elif type == "string" then subst else . end)' "${REPO_DIR}/connection-profiles/org.template.json" >"${out}"
  done
  log_info "connection profiles in ${CIVIC_PROFILES_DIR}"
}

# Stages that need the Fabric peer and orderer binaries.
require_fabric() {
  stage_binaries fabric || {
    log_error "the ${1} stage needs the Fabric ${FABRIC_VERSION} binaries; see 'civic network doctor'"
    return 1
  }
}
stage_orderers() { require_fabric orderers; }
stage_peers() { require_fabric peers; }
stage_channel() { require_fabric channel; }
stage_chaincode() { require_fabric chaincode; }

# binaries_needed_until STAGE: `ca` when the stages up to STAGE need only Fabric CA, else `all`.
binaries_needed_until() {
  case "$1" in
    ports | cas | identities) echo ca ;;
    *) echo all ;;
  esac
}

cmd_up() {
  local until="${STAGES[-1]}"
  if [[ "${1:-}" == "--until" ]]; then
    until="${2:?--until needs a stage: ${STAGES[*]}}"
    [[ " ${STAGES[*]} " == *" ${until} "* ]] || { log_error "unknown stage '${until}' (stages: ${STAGES[*]})"; return 2; }
  fi
  local started=${SECONDS} stage
  for stage in "${STAGES[@]}"; do
    case "${stage}" in
      binaries) run_step "binaries" stage_binaries "$(binaries_needed_until "${until}")" ;;
      *) run_step "${stage}" "stage_${stage}" ;;
    esac
    [[ "${stage}" == "${until}" ]] && break
  done
  printf 'network up to stage %s in %ss (state: %s)\n' "${until}" "$((SECONDS - started))" "${CIVIC_NETWORK_HOME}" >&2
}

# all_node_names: every node this network can run, in stop order.
all_node_names() {
  local org
  for org in "${ORGS[@]}"; do printf 'peer-%s\n' "${org}"; done
  for org in "${ORGS[@]}"; do printf 'orderer-%s\n' "${org}"; done
  for org in "${ORGS[@]}"; do printf 'ca-%s\n' "${org}"; done
}

cmd_down() {
  local name
  while read -r name; do stop_node "${name}"; done < <(all_node_names)
  printf 'network stopped; ledgers and crypto material kept in %s\n' "${CIVIC_NETWORK_HOME}" >&2
}

cmd_clean() {
  cmd_down
  rm -rf "${CIVIC_NETWORK_HOME}"
  printf 'network state deleted (%s)\n' "${CIVIC_NETWORK_HOME}" >&2
}

# node_json NAME ORG KIND PORT OPS_PORT: one node's status as JSON.
node_json() {
  local name="$1" org="$2" kind="$3" port="$4" ops="$5" pid=null healthy=false
  if pid="$(node_pid "${name}")"; then
    curl -fsS --max-time 2 "http://127.0.0.1:${ops}/healthz" >/dev/null 2>&1 && healthy=true
  else
    pid=null
  fi
  jq -n --arg name "${name}" --arg org "${org}" --arg kind "${kind}" --argjson port "${port}" \
    --argjson ops "${ops}" --argjson pid "${pid}" --argjson healthy "${healthy}" \
    '{name: $name, org: $org, kind: $kind, port: $port, operationsPort: $ops, pid: $pid, running: ($pid != null), healthy: $healthy}'
}

cmd_status() {
  if [[ ! -f "${PORTS_ENV}" ]]; then
    jq -n --arg home "${CIVIC_NETWORK_HOME}" '{home: $home, created: false, nodes: []}'
    return 0
  fi
  load_port_map
  local org nodes=()
  for org in "${ORGS[@]}"; do
    nodes+=("$(node_json "ca-${org}" "${org}" ca "$(port_of "${org}" ca)" "$(port_of "${org}" ca_ops)")")
    nodes+=("$(node_json "orderer-${org}" "${org}" orderer "$(port_of "${org}" orderer)" "$(port_of "${org}" orderer_ops)")")
    nodes+=("$(node_json "peer-${org}" "${org}" peer "$(port_of "${org}" peer)" "$(port_of "${org}" peer_ops)")")
  done
  printf '%s\n' "${nodes[@]}" | jq -s --arg home "${CIVIC_NETWORK_HOME}" --argjson base "${CIVIC_BASE_PORT}" \
    --arg fabric "${FABRIC_VERSION}" --arg ca "${FABRIC_CA_VERSION}" \
    '{home: $home, created: true, basePort: $base, fabricVersion: $fabric, fabricCaVersion: $ca, nodes: .}'
}

main() {
  local verb="${1:-}"
  shift || true
  case "${verb}" in
    up) cmd_up "$@" ;;
    deploy) run_step "chaincode" stage_chaincode ;;
    down) cmd_down ;;
    clean) cmd_clean ;;
    status) cmd_status ;;
    doctor) cmd_doctor ;;
    *)
      log_error "usage: network.sh up [--until STAGE] | deploy | down | clean | status | doctor"
      return 2
      ;;
  esac
}

main "$@"
