# shellcheck shell=bash
# `network.sh status`: one JSON document with every node (pid, port, health),
# the channel (Raft leader, block height per peer), the committed chaincode
# definition, and which Fabric and Fabric CA builds run and where they came from.

# binary_json TOOL: where an installed binary came from (install-binaries.sh
# records it beside the binaries), and its path and reported version.
binary_json() {
  local tool="$1" path version source="found on FABRIC_BIN or PATH (not installed by this project)"
  if ! path="$(find_tool "${tool}")"; then
    jq -n --arg tool "${tool}" '{tool: $tool, installed: false}'
    return 0
  fi
  version="$(tool_version "${path}")"
  [[ -f "$(dirname "${path}")/../SOURCE" ]] && source="$(<"$(dirname "${path}")/../SOURCE")"
  jq -n --arg tool "${tool}" --arg path "${path}" --arg version "${version}" --arg source "${source}" \
    '{tool: $tool, installed: true, path: $path, version: $version, source: $source}'
}

# node_json NAME ORG KIND PORT OPS_PORT: one node's status as JSON.
node_json() {
  local name="$1" org="$2" kind="$3" port="$4" ops="$5" pid=null healthy=false url
  url="http://$(node_host "${org}"):${ops}"
  if pid="$(node_pid "${name}")"; then
    curl -fsS --max-time 2 "${url}/healthz" >/dev/null 2>&1 && healthy=true
  else
    pid=null
  fi
  local extra='{}' value
  if [[ "${pid}" != null && "${kind}" == peer ]]; then
    value="$(metric "${url}" ledger_blockchain_height "channel=\"${CHANNEL_NAME}\"")"
    extra="$(jq -n --arg h "${value}" '{height: (if $h == "" then null else ($h | tonumber) end)}')"
  elif [[ "${pid}" != null && "${kind}" == orderer ]]; then
    value="$(metric "${url}" consensus_etcdraft_is_leader "channel=\"${CHANNEL_NAME}\"")"
    extra="$(jq -n --arg l "${value}" '{raftLeader: ($l == "1")}')"
  fi
  jq -n --arg name "${name}" --arg org "${org}" --arg kind "${kind}" --arg host "$(node_host "${org}")" \
    --argjson port "${port}" --argjson ops "${ops}" --argjson pid "${pid}" --argjson healthy "${healthy}" --argjson extra "${extra}" \
    '{name: $name, org: $org, kind: $kind, host: $host, port: $port, operationsPort: $ops, pid: $pid, running: ($pid != null), healthy: $healthy} + $extra'
}

# chaincode_json: the committed definition (querycommitted through the first
# running peer), or null when none is committed or no peer runs.
chaincode_json() {
  local org def
  for org in "${ORGS[@]}"; do
    node_pid "peer-${org}" >/dev/null || continue
    def="$(peer_as_admin "${org}" lifecycle chaincode querycommitted --channelID "${CHANNEL_NAME}" \
      --name "${CHAINCODE_NAME}" --output json 2>/dev/null)" || break
    jq -c --arg name "${CHAINCODE_NAME}" '{name: $name, version, sequence, validationParameter: .validation_parameter,
      collections: [.collections.config[]? | .Payload.StaticCollectionConfig.name], approvals}' <<<"${def}"
    return 0
  done
  echo null
}

cmd_status() {
  local fabric ca
  fabric="$(binary_json peer | jq --arg v "${FABRIC_VERSION}" --arg c "${FABRIC_COMMIT}" --arg m "${FABRIC_MODULE_VERSION}" \
    '. + {pinned: $v, commit: $c, moduleVersion: $m}')"
  ca="$(binary_json fabric-ca-server | jq --arg v "${FABRIC_CA_VERSION}" '. + {pinned: $v}')"
  if [[ ! -f "${PORTS_ENV}" ]]; then
    jq -n --arg home "${CIVIC_NETWORK_HOME}" --argjson fabric "${fabric}" --argjson ca "${ca}" \
      '{home: $home, created: false, fabric: $fabric, fabricCa: $ca, nodes: []}'
    return 0
  fi
  load_port_map
  local org n nodes=()
  for org in "${ORGS[@]}"; do
    nodes+=("$(node_json "ca-${org}" "${org}" ca "$(port_of "${org}" ca)" "$(port_of "${org}" ca_ops)")")
    # A joining org's home runs no orderer.
    [[ -n "${JOINING_ORG}" ]] || nodes+=("$(node_json "orderer-${org}" "${org}" orderer "$(port_of "${org}" orderer)" "$(port_of "${org}" orderer_ops)")")
    nodes+=("$(node_json "peer-${org}" "${org}" peer "$(port_of "${org}" peer)" "$(port_of "${org}" peer_ops)")")
    for n in $(added_peer_numbers "${org}"); do
      nodes+=("$(node_json "$(peer_node_name "${org}" "${n}")" "${org}" peer "$(port_of "${org}" "peer${n}")" "$(port_of "${org}" "peer${n}_ops")")")
    done
  done
  printf '%s\n' "${nodes[@]}" | jq -s --arg home "${CIVIC_NETWORK_HOME}" --argjson base "${CIVIC_BASE_PORT}" \
    --argjson fabric "${fabric}" --argjson ca "${ca}" --arg channel "${CHANNEL_NAME}" --argjson chaincode "$(chaincode_json)" \
    '{home: $home, created: true, basePort: $base, fabric: $fabric, fabricCa: $ca, nodes: .,
      channel: {name: $channel, raftLeader: ([.[] | select(.raftLeader == true) | .name] | first),
        heights: ([.[] | select(.kind == "peer") | {key: .name, value: .height}] | from_entries)},
      chaincode: $chaincode}'
}
