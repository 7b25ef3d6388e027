# shellcheck shell=bash
# Further peers of an org (`civic peer add`): peer1, peer2, ... beside the org's first
# peer, each with its own identity from the org's Fabric CA (a peer-type enrollment:
# NodeOU peer, and a TLS server certificate for the org's node host), its own three
# ports (network/lib/ports.sh), gossip bootstrapped from the org's other peers, joined
# to the channel from the genesis block (it then pulls every block from the orderers)
# and given the chaincode package the org approved, so the org's approval covers it.
#
# Layout: $(org_dir ORG)/peerN/{msp,tls} and the marker file `added` there once the
# peer is fully set up; ${CIVIC_NETWORK_HOME}/nodes/peerN-ORG/data; logs/peerN-ORG.log.

# peer_added_marker ORG N: the file whose presence says peer N of ORG is fully added.
peer_added_marker() { printf '%s/added\n' "$(peer_dir "$1" "$2")"; }

# added_peer_numbers ORG: the numbers of the org's fully added further peers, one a line.
added_peer_numbers() {
  local n
  for n in $(extra_peer_numbers "$1"); do
    [[ -f "$(peer_added_marker "$1" "${n}")" ]] && printf '%s\n' "${n}"
  done
  return 0
}

# next_peer_number ORG: the number of the org's next further peer: the first one not
# fully added (so a `peer add` that failed half-way is resumed, not repeated).
next_peer_number() {
  local org="$1" n
  for ((n = 1; n <= MAX_EXTRA_PEERS; n++)); do
    if [[ ! -f "$(peer_added_marker "${org}" "${n}")" ]]; then
      printf '%s\n' "${n}"
      return 0
    fi
  done
  log_error "${org} already has $((MAX_EXTRA_PEERS + 1)) peers (peer0..peer${MAX_EXTRA_PEERS}), the most its port block holds"
  return 1
}

# approved_package_id ORG: the package id ORG's admin approved for the chaincode's
# latest approved definition (queried on its first peer); empty when none is approved.
approved_package_id() {
  peer_as_admin "$1" lifecycle chaincode queryapproved --channelID "${CHANNEL_NAME}" --name "${CHAINCODE_NAME}" \
    --output json 2>/dev/null | jq -r '.source.Type.LocalPackage.package_id // empty' 2>/dev/null || true
}

# install_approved_package ORG N: install on peer N the very package ORG approved, as
# its first peer holds it (same bytes, so the same package id). Nothing to do when the
# org has approved no definition yet ('civic network deploy' then installs on every peer).
install_approved_package() {
  local org="$1" n="$2" id dir pkg
  id="$(approved_package_id "${org}")"
  if [[ -z "${id}" ]]; then
    log_info "$(org_msp "${org}") has approved no ${CHAINCODE_NAME} definition yet; 'civic network deploy' installs it on every peer"
    return 0
  fi
  dir="$(chaincode_dir)/installed"
  mkdir -p "${dir}"
  pkg="${dir}/${id}.tar.gz"
  if [[ ! -s "${pkg}" ]]; then
    peer_as_admin "${org}" lifecycle chaincode getinstalledpackage --package-id "${id}" --output-directory "${dir}" >/dev/null 2>&1 || {
      log_error "$(peer_node_name "${org}") does not hold the approved package ${id}; run 'civic network deploy' to install a package on every peer"
      return 1
    }
  fi
  install_on_peer "${org}" "${pkg}" "${id}" "${n}"
}

# peer_added_json ORG N: what `peer add` reports, as JSON.
peer_added_json() {
  local org="$1" n="$2" role
  role="$(peer_role "${n}")"
  jq -n --arg org "${org}" --arg msp "$(org_msp "${org}")" --arg peer "peer${n}.${org}" --arg node "$(peer_node_name "${org}" "${n}")" \
    --arg endpoint "$(peer_endpoint "${org}" "${n}")" --arg host "$(node_host "${org}")" \
    --argjson ops "$(port_of "${org}" "${role}_ops")" --argjson cc "$(port_of "${org}" "${role}_chaincode")" \
    --arg channel "${CHANNEL_NAME}" --arg packageId "$(approved_package_id "${org}")" \
    --arg bootstrap "$(gossip_bootstrap "${org}" "${n}")" \
    '{org: $org, mspId: $msp, peer: $peer, node: $node, endpoint: $endpoint, chaincodePort: $cc,
      operations: "http://\($host):\($ops)", gossipBootstrap: ($bootstrap | split(" ")), channel: $channel,
      packageId: (if $packageId == "" then null else $packageId end)}'
}

# require_running NODE: fail with the fix when a node the verb needs is not running.
require_running() {
  node_pid "$1" >/dev/null && return 0
  log_error "$1 is not running; run 'civic network up' first"
  return 2
}

# cmd_peer_add ORG: add the org's next peer (see the top of this file); prints peer_added_json.
cmd_peer_add() {
  local org="${1:-}" n
  if [[ ! -f "${PORTS_ENV}" ]]; then
    log_error "no network in ${CIVIC_NETWORK_HOME}; run 'civic network up' first"
    return 2
  fi
  load_port_map
  if [[ " ${ORGS[*]} " != *" ${org} "* ]]; then
    log_error "unknown --org '${org}': this network home runs ${ORGS[*]}"
    return 2
  fi
  require_fabric peers
  require_running "ca-${org}" || return
  require_running "$(peer_node_name "${org}")" || return
  n="$(next_peer_number "${org}")" || return 1
  run_step "ports of peer${n}.${org}" add_peer_ports "${org}" "${n}"
  load_port_map
  run_step "identity of peer${n}.${org}" ensure_identity "${org}" "peer${n}" peer "" "$(peer_dir "${org}" "${n}")/msp" "$(peer_dir "${org}" "${n}")/tls"
  run_step "start peer${n}.${org}" start_peer "${org}" "${n}"
  run_step "join '${CHANNEL_NAME}'" join_peer "${org}" "${n}"
  run_step "chaincode on peer${n}.${org}" install_approved_package "${org}" "${n}"
  : >"$(peer_added_marker "${org}" "${n}")"
  run_step "gossip membership" wait_channel_membership 120
  run_step "connection profiles" write_connection_profiles
  peer_added_json "${org}" "${n}"
}
