#!/usr/bin/env bash
# Civic Ledger network lifecycle: native Fabric processes, no Docker, listening on
# the network's host address (CIVIC_HOST, default 127.0.0.1). Called by
# `civic network <verb>`; usable on its own.
#
#   network.sh up [--until STAGE]   bring up or resume (idempotent); stages in order:
#                                   binaries, ports, cas, identities, orderers, peers, channel, chaincode
#   network.sh deploy               install, approve and commit the civic chaincode (or upgrade it)
#   network.sh deploy-chaincode NAME DIR
#                                   the same for another chaincode (test only: test/chaincode/probe),
#                                   from the node package in DIR, no collections; a no-op when
#                                   that package is already committed
#   network.sh down                 stop every node, keep ledgers and crypto material
#   network.sh clean                stop and delete the network's state
#   network.sh status               JSON: nodes, ports, health
#   network.sh doctor               JSON lines: checks with a remedy for each failure
#   network.sh org-* | channel-*    an org joining the running channel (network/lib/org.sh)
#   network.sh peer-add ORG         another peer of ORG: peer1, peer2, ... (network/lib/peer.sh)
#   network.sh channel-set-crl ORG CRL   ORG's CRL into its MSP in the channel config (network/lib/revoke.sh)
#
# Environment: CIVIC_NETWORK_HOME (state folder, default <repo>/.network),
# CIVIC_BASE_PORT (first port, default 27000), CIVIC_HOST (the IPv4 address every
# org's nodes listen on and are reached at, default 127.0.0.1; CIVIC_HOST_<ORG> for
# one org), FABRIC_BIN, CIVIC_CACHE_DIR. The base port and addresses are fixed
# when the network is created (ports.env) and a different value later is refused.
set -euo pipefail

# shellcheck source=network/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=network/lib/ports.sh
source "${NETWORK_DIR}/lib/ports.sh"
# shellcheck source=network/lib/process.sh
source "${NETWORK_DIR}/lib/process.sh"
# shellcheck source=network/lib/ca.sh
source "${NETWORK_DIR}/lib/ca.sh"
# shellcheck source=network/lib/nodes.sh
source "${NETWORK_DIR}/lib/nodes.sh"
# shellcheck source=network/lib/channel.sh
source "${NETWORK_DIR}/lib/channel.sh"
# shellcheck source=network/lib/chaincode.sh
source "${NETWORK_DIR}/lib/chaincode.sh"
# shellcheck source=network/lib/org.sh
source "${NETWORK_DIR}/lib/org.sh"
# shellcheck source=network/lib/peer.sh
source "${NETWORK_DIR}/lib/peer.sh"
# shellcheck source=network/lib/revoke.sh
source "${NETWORK_DIR}/lib/revoke.sh"
# shellcheck source=network/lib/status.sh
source "${NETWORK_DIR}/lib/status.sh"
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
  # Each org enrolls from its own CA, so the three orgs enroll at the same time.
  local org pids=() failed=0 pid
  for org in "${ORGS[@]}"; do
    enroll_org "${org}" &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do wait "${pid}" || failed=1; done
  ((failed == 0)) || return 1
  write_connection_profiles
}

# write_connection_profiles: one Fabric common connection profile per org,
# from connection-profiles/org.template.json, the port map and the org's node
# address (each peer's TLS certificate is checked against that address), listing
# every peer of the org: peer0 as the template has it, then each added peer
# (peer1, ...) as a copy of peer0's entries with its own address.
write_connection_profiles() {
  local org out n extra
  for org in "${ORGS[@]}"; do
    out="${CIVIC_PROFILES_DIR}/${org}.json"
    mkdir -p "$(dirname "${out}")"
    extra='[]'
    for n in $(added_peer_numbers "${org}"); do
      extra="$(jq -c --arg name "peer${n}.${org}" --arg url "grpcs://$(peer_endpoint "${org}" "${n}")" '. + [{name: $name, url: $url}]' <<<"${extra}")"
    done
    jq --arg org "${org}" --arg msp "$(org_msp "${org}")" \
      --arg peer "$(peer_endpoint "${org}")" --arg host "$(node_host "${org}")" --arg ca "$(ca_url "${org}")" \
      --arg caName "$(ca_name "${org}")" --arg tlsRoot "$(ca_root_cert "${org}")" \
      --arg wallet "${CIVIC_WALLET}/${org}" --argjson extra "${extra}" \
      'def subst: gsub("\\$\\{ORG\\}"; $org) | gsub("\\$\\{MSP_ID\\}"; $msp) | gsub("\\$\\{PEER_ADDRESS\\}"; $peer) | gsub("\\$\\{PEER_HOST\\}"; $host)
          | gsub("\\$\\{CA_URL\\}"; $ca) | gsub("\\$\\{CA_NAME\\}"; $caName)
          | gsub("\\$\\{TLS_ROOT_CERT\\}"; $tlsRoot) | gsub("\\$\\{WALLET\\}"; $wallet);
        walk(if type == "object" then with_entries(.key |= subst) elif type == "string" then subst else . end)
        | ("peer0." + $org) as $first
        | reduce $extra[] as $p (.;
            .organizations[$msp].peers += [$p.name]
            | .peers[$p.name] = (.peers[$first] | .url = $p.url)
            | .channels.civic.peers[$p.name] = .channels.civic.peers[$first])' \
      "${REPO_DIR}/connection-profiles/org.template.json" >"${out}"
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
stage_orderers() {
  require_fabric orderers
  load_port_map
  local org
  for org in "${ORGS[@]}"; do start_orderer "${org}"; done
}

stage_peers() {
  require_fabric peers
  load_port_map
  local org n
  for org in "${ORGS[@]}"; do start_peer "${org}"; done
  # Peers added with 'civic peer add' after the first ones, which they bootstrap gossip from.
  for org in "${ORGS[@]}"; do
    for n in $(added_peer_numbers "${org}"); do start_peer "${org}" "${n}"; done
  done
}

stage_channel() {
  require_fabric channel
  load_port_map
  create_genesis_block
  local org
  for org in "${ORGS[@]}"; do join_orderer "${org}"; done
  wait_raft_leader 60
  for org in "${ORGS[@]}"; do join_peer "${org}"; done
}

# stage_chaincode: deploy the chaincode unless a definition is committed (a
# resumed network keeps its own), then evaluate through each org's gateway and wait
# until the peers see one another on the channel (so submits can gather endorsements).
stage_chaincode() {
  require_fabric chaincode
  load_port_map
  local committed
  committed="$(committed_definition)"
  if [[ -z "${committed}" ]]; then
    deploy_chaincode
  else
    log_info "${CHAINCODE_NAME} sequence $(jq -r .sequence <<<"${committed}") already committed"
  fi
  wait_gateways_answer 120
  wait_channel_membership 120
}

# cmd_deploy: the next sequence of the chaincode definition on a running network.
cmd_deploy() {
  require_fabric chaincode
  load_port_map
  deploy_chaincode
  wait_gateways_answer 120
}

# cmd_deploy_chaincode NAME DIR: deploy another chaincode than civic (see use_chaincode).
cmd_deploy_chaincode() {
  (($# == 2)) || {
    log_error "usage: network.sh deploy-chaincode NAME DIR"
    return 2
  }
  use_chaincode "$1" "$2" || return
  require_fabric chaincode
  load_port_map
  deploy_chaincode
}

# wait_gateways_answer SECONDS: until an evaluate through every org's gateway
# answers (the chaincode process is launched on each peer by then).
wait_gateways_answer() {
  local deadline=$((SECONDS + ${1:-120})) out
  while ((SECONDS < deadline)); do
    if out="$(node "${REPO_DIR}/cli/bin/civic.js" --json network ping 2>&1)"; then
      log_info "every org's gateway answers: $(jq -r '[.result[] | "\(.org) \(.ms)ms"] | join(", ")' <<<"${out}")"
      return 0
    fi
    sleep 1
  done
  log_error "the chaincode does not answer through every gateway after ${1:-120}s: $(jq -r '.error.message // .' <<<"${out}" 2>/dev/null | head -c 600)"
  return 1
}

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

# all_node_names: every node this network can run, in stop order (added peers, by
# their pid files, before the orgs' first peers).
all_node_names() {
  local org file
  for file in "${PIDS_DIR}"/peer[0-9]*-*.pid; do
    [[ -f "${file}" ]] && basename "${file}" .pid
  done
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

main() {
  local verb="${1:-}"
  shift || true
  case "${verb}" in
    up) cmd_up "$@" ;;
    deploy) run_step "chaincode deploy" cmd_deploy ;;
    deploy-chaincode) run_step "chaincode deploy" cmd_deploy_chaincode "$@" ;;
    down) cmd_down ;;
    clean) cmd_clean ;;
    status) cmd_status ;;
    org-init) cmd_org_init "$@" ;;
    org-join) cmd_org_join "$@" ;;
    org-committed) cmd_org_committed ;;
    org-approve) run_step "chaincode approval" cmd_org_approve "$@" ;;
    channel-genesis) cmd_channel_genesis "$@" ;;
    channel-fetch-config) channel_fetch_config "$@" ;;
    channel-add-org) cmd_channel_add_org "$@" ;;
    channel-sign) cmd_channel_sign "$@" ;;
    channel-submit) cmd_channel_submit "$@" ;;
    channel-set-crl) cmd_channel_set_crl "$@" ;;
    peer-add) cmd_peer_add "$@" ;;
    doctor) cmd_doctor ;;
    *)
      log_error "usage: network.sh up [--until STAGE] | deploy | deploy-chaincode NAME DIR | down | clean | status | doctor | org-init NAME OUT | org-join BLOCK | org-committed | org-approve VERSION SEQUENCE POLICY | channel-genesis ORG OUT | channel-fetch-config ORG OUT | channel-add-org ORG DEFINITION OUT | channel-sign ORG FILE | channel-submit ORG FILE | channel-set-crl ORG CRL | peer-add ORG"
      return 2
      ;;
  esac
}

main "$@"
