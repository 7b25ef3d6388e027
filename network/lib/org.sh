# shellcheck shell=bash
# An org joining the running channel, with Fabric's own tools throughout (the
# steps of Fabric's "Adding an Org to a Channel" tutorial):
#
#   on the new org's host (a network home of its own, CIVIC_NETWORK_HOME):
#     org-init NAME OUT       its CA, admin, staff and peer identities; its org definition
#                             (configtxgen -printOrg: MSP with public certificates, policies,
#                             anchor peer) written to OUT, the one file it hands over
#     org-join BLOCK          start its peer and join it to the channel from BLOCK
#     org-committed           the committed chaincode definition, as its own peer sees it
#     org-approve VERSION SEQUENCE POLICY   install the chaincode, approve that definition
#   by a member org's admin (ORG):
#     channel-fetch-config ORG OUT          the channel's latest config block
#     channel-genesis ORG OUT               block 0 of the channel, for the new org's peer to join from
#     channel-add-org ORG DEFINITION OUT    the config update adding the org to the Application
#                                           group (configtxlator compute_update), as a CONFIG_UPDATE envelope
#     channel-sign ORG FILE                 add ORG's admin signature (peer channel signconfigtx)
#     channel-submit ORG FILE               send it to ORG's orderer (peer channel update, which
#                                           signs it as ORG's admin too)

configtxlator_tool() {
  "$(find_tool configtxlator)" "$@"
}

# require_tool NAME: fail with the fix when a Fabric binary is missing.
require_tool() {
  find_tool "$1" >/dev/null || {
    log_error "$1 is not installed; run 'bash network/install-binaries.sh fabric'"
    return 1
  }
}

# cmd_org_init NAME OUT: set up a joining org in this network home and write its definition.
cmd_org_init() {
  local name="${1:-}" out="${2:-}"
  if ! valid_org_name "${name}"; then
    log_error "--name '${name}' is not an org name (a lowercase letter, then 1-15 lowercase letters or digits, e.g. harbour)"
    return 2
  fi
  if [[ " ${FOUNDING_ORGS[*]} " == *" ${name} "* ]]; then
    log_error "${name} is a founding org of the network; a joining org needs a name of its own"
    return 2
  fi
  if [[ -n "${JOINING_ORG}" && "${JOINING_ORG}" != "${name}" ]]; then
    log_error "${CIVIC_NETWORK_HOME} already belongs to the joining org ${JOINING_ORG}; use another CIVIC_NETWORK_HOME"
    return 2
  fi
  if [[ -z "${JOINING_ORG}" && -f "${PORTS_ENV}" ]]; then
    log_error "${CIVIC_NETWORK_HOME} holds the founding network; a joining org needs a CIVIC_NETWORK_HOME of its own"
    return 2
  fi
  [[ -n "${out}" ]] || out="${PWD}/${name}.json"
  mkdir -p "${CIVIC_NETWORK_HOME}"
  printf 'CIVIC_ORG_NAME=%s\n' "${name}" >"${ORG_ENV}"
  JOINING_ORG="${name}"
  ORGS=("${name}")
  run_step "binaries" stage_binaries all
  run_step "ports" stage_ports
  run_step "CA of $(org_msp "${name}")" stage_cas
  run_step "identities" stage_identities
  run_step "org definition" write_org_definition "${name}" "${out}"
  load_port_map
  jq -n --arg org "${name}" --arg msp "$(org_msp "${name}")" --arg file "${out}" \
    --arg peer "$(peer_endpoint "${name}")" '{org: $org, mspId: $msp, definition: $file, anchorPeer: $peer}'
}

# write_org_definition ORG OUT: the org's Application org group as configtxgen -printOrg
# encodes it (protolator JSON of a common.ConfigGroup).
write_org_definition() {
  local org="$1" out="$2" dir
  load_port_map
  dir="$(channel_dir)"
  mkdir -p "${dir}" "$(dirname "${out}")"
  {
    echo "Organizations:"
    org_entry_yaml "${org}"
  } >"${dir}/configtx.yaml"
  "$(find_tool configtxgen)" -configPath "${dir}" -printOrg "$(org_msp "${org}")" >"${out}.tmp" 2>"${dir}/configtxgen.log" || {
    log_error "configtxgen -printOrg failed: $(tail -n 3 "${dir}/configtxgen.log")"
    return 1
  }
  mv "${out}.tmp" "${out}"
  log_info "org definition of $(org_msp "${org}") written to ${out}"
}

# require_joining_org VERB: the verbs run in a joining org's home only.
require_joining_org() {
  [[ -n "${JOINING_ORG}" ]] && return 0
  log_error "'$1' runs in a joining org's network home (made by 'civic org init'), not in ${CIVIC_NETWORK_HOME}"
  return 2
}

# cmd_org_join BLOCK: start the org's peer and join it to the channel from BLOCK
# (the genesis block a member hands over); it then pulls every block from the orderers.
cmd_org_join() {
  local block="${1:-}"
  require_joining_org org-join || return
  [[ -s "${block}" ]] || {
    log_error "--block '${block}' is not a block file (ask a member's admin for 'civic channel genesis --out FILE')"
    return 2
  }
  load_port_map
  run_step "peer of $(org_msp "${JOINING_ORG}")" start_peer "${JOINING_ORG}"
  mkdir -p "$(channel_dir)"
  [[ "$(realpath "${block}")" == "$(realpath -m "$(genesis_block)")" ]] || cp "${block}" "$(genesis_block)"
  run_step "join '${CHANNEL_NAME}'" join_peer "${JOINING_ORG}"
}

# cmd_org_committed: the committed chaincode definition on the org's own peer (JSON), or {}.
cmd_org_committed() {
  require_joining_org org-committed || return
  load_port_map
  local def
  def="$(committed_definition)"
  printf '%s\n' "${def:-{\}}"
}

# cmd_org_approve VERSION SEQUENCE POLICY: install the chaincode package on the org's
# peer and approve the definition (the repository's collections config).
cmd_org_approve() {
  local version="$1" sequence="$2" policy="$3" pkg id out
  require_joining_org org-approve || return
  require_fabric chaincode
  load_port_map
  pkg="$(package_chaincode)" || return 1
  id="$(peer_as_admin "${JOINING_ORG}" lifecycle chaincode calculatepackageid "${pkg}")" || return 1
  install_on_peer "${JOINING_ORG}" "${pkg}" "${id}"
  # Orderer endpoints and TLS roots come from the channel config the peer holds.
  local orderer ca
  orderer="$(channel_orderer_of_peer "${JOINING_ORG}")" || return 1
  ca="$(channel_dir)/orderer-tls-ca.pem"
  out="$(peer_as_admin "${JOINING_ORG}" lifecycle chaincode approveformyorg -o "${orderer}" --tls --cafile "${ca}" \
    --channelID "${CHANNEL_NAME}" --name "${CHAINCODE_NAME}" --version "${version}" --sequence "${sequence}" \
    --signature-policy "${policy}" --collections-config "${COLLECTIONS_CONFIG}" --package-id "${id}" 2>&1)" || {
    log_error "approval by $(org_msp "${JOINING_ORG}") failed: ${out}"
    return 1
  }
  log_info "$(org_msp "${JOINING_ORG}") approved ${CHAINCODE_NAME} version ${version} sequence ${sequence}"
}

# channel_orderer_of_peer ORG: an orderer endpoint (host:port) from the block the
# org's peer joined from, writing the orderer orgs' TLS root certificates there
# too (channel/orderer-tls-ca.pem): no address or certificate is configured by hand.
channel_orderer_of_peer() {
  local work
  require_tool configtxlator || return 1
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: work is local
  trap "rm -rf '${work}'" RETURN
  configtxlator_tool proto_decode --input "$(genesis_block)" --type common.Block --output "${work}/block.json" || return 1
  jq -r '.data.data[0].payload.data.config.channel_group.groups.Orderer.groups[].values.MSP.value.config.tls_root_certs[]' "${work}/block.json" |
    base64 -d >"$(channel_dir)/orderer-tls-ca.pem"
  jq -r '[.data.data[0].payload.data.config.channel_group.groups.Orderer.groups[].values.Endpoints.value.addresses[]] | first' "${work}/block.json"
}

# channel_fetch_config ORG OUT: the latest config block, fetched by ORG's admin from ORG's orderer.
channel_fetch_config() {
  local org="$1" out="$2" log
  load_port_map
  mapfile -t ord < <(orderer_args "${org}")
  log="$(peer_as_admin "${org}" channel fetch config "${out}" -c "${CHANNEL_NAME}" "${ord[@]}" 2>&1)" || {
    log_error "fetching the config block of '${CHANNEL_NAME}' as $(org_msp "${org}")'s admin failed: ${log}"
    return 1
  }
}

# cmd_channel_genesis ORG OUT: block 0 of the channel, fetched by ORG's admin.
cmd_channel_genesis() {
  local org="$1" out="$2" log
  load_port_map
  mapfile -t ord < <(orderer_args "${org}")
  log="$(peer_as_admin "${org}" channel fetch oldest "${out}" -c "${CHANNEL_NAME}" "${ord[@]}" 2>&1)" || {
    log_error "fetching block 0 of '${CHANNEL_NAME}' failed: ${log}"
    return 1
  }
  log_info "block 0 of '${CHANNEL_NAME}' written to ${out}"
}

# cmd_channel_add_org ORG DEFINITION OUT: the config update that adds the org of
# DEFINITION (configtxgen -printOrg JSON) to the Application group, computed by
# configtxlator from the current config, as an unsigned CONFIG_UPDATE envelope in OUT.
# Prints {mspId, channel, update, configSequence}.
cmd_channel_add_org() {
  local org="$1" def="$2" out="$3" msp work
  require_tool configtxlator || return 1
  if ! msp="$(jq -er '.values.MSP.value.config.name | select(type == "string" and test("^[A-Za-z][A-Za-z0-9.-]*$"))' "${def}" 2>/dev/null)"; then
    log_error "--definition ${def} is not an org definition (the JSON config group that 'civic org init' / configtxgen -printOrg writes, with values.MSP naming the org)"
    return 2
  fi
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: work is local
  trap "rm -rf '${work}'" RETURN
  channel_fetch_config "${org}" "${work}/config_block.pb" || return 1
  configtxlator_tool proto_decode --input "${work}/config_block.pb" --type common.Block --output "${work}/block.json" || return 1
  jq '.data.data[0].payload.data.config' "${work}/block.json" >"${work}/config.json"
  if jq -e --arg m "${msp}" '.channel_group.groups.Application.groups | has($m)' "${work}/config.json" >/dev/null; then
    log_error "${msp} is already a member of '${CHANNEL_NAME}'"
    return 2
  fi
  jq --arg m "${msp}" --slurpfile group "${def}" '.channel_group.groups.Application.groups[$m] = $group[0]' "${work}/config.json" >"${work}/modified.json"
  configtxlator_tool proto_encode --input "${work}/config.json" --type common.Config --output "${work}/config.pb" || return 1
  configtxlator_tool proto_encode --input "${work}/modified.json" --type common.Config --output "${work}/modified.pb" 2>"${work}/encode.log" || {
    log_error "--definition ${def} does not encode as a config group: $(tail -n 2 "${work}/encode.log")"
    return 2
  }
  configtxlator_tool compute_update --channel_id "${CHANNEL_NAME}" --original "${work}/config.pb" --updated "${work}/modified.pb" \
    --output "${work}/update.pb" || return 1
  configtxlator_tool proto_decode --input "${work}/update.pb" --type common.ConfigUpdate --output "${work}/update.json" || return 1
  jq -n --arg ch "${CHANNEL_NAME}" --slurpfile u "${work}/update.json" \
    '{payload: {header: {channel_header: {channel_id: $ch, type: 2}}, data: {config_update: $u[0]}}}' >"${work}/envelope.json"
  mkdir -p "$(dirname "${out}")"
  configtxlator_tool proto_encode --input "${work}/envelope.json" --type common.Envelope --output "${out}" || return 1
  log_info "config update adding ${msp} to '${CHANNEL_NAME}' written to ${out} (unsigned)"
  jq -n --arg msp "${msp}" --arg ch "${CHANNEL_NAME}" --arg out "${out}" --argjson seq "$(jq '.sequence // "0" | tonumber' "${work}/config.json")" \
    '{mspId: $msp, channel: $ch, update: $out, configSequence: $seq}'
}

# cmd_channel_sign ORG FILE: add ORG's admin signature to the config update in FILE.
cmd_channel_sign() {
  local org="$1" file="$2" log
  load_port_map
  log="$(peer_as_admin "${org}" channel signconfigtx -f "${file}" 2>&1)" || {
    log_error "signing ${file} as $(org_msp "${org}")'s admin failed: ${log}"
    return 1
  }
  log_info "$(org_msp "${org}")'s admin signed ${file}"
}

# cmd_channel_submit ORG FILE: send the config update to ORG's orderer (peer channel update).
# Prints {accepted: true} or, when the orderer answered with a refusal (a status such as
# BAD_REQUEST or FORBIDDEN: the update is not allowed), {accepted: false, status, reason}; an
# orderer that cannot be reached is an error.
cmd_channel_submit() {
  local org="$1" file="$2" log refusal
  load_port_map
  mapfile -t ord < <(orderer_args "${org}")
  if log="$(peer_as_admin "${org}" channel update -f "${file}" -c "${CHANNEL_NAME}" "${ord[@]}" 2>&1)"; then
    log_info "config update of '${CHANNEL_NAME}' accepted by orderer-${org}"
    jq -n '{accepted: true}'
    return 0
  fi
  refusal="$(grep -o 'got unexpected status: [A-Z_]* -- .*' <<<"${log}" | head -n 1)" || true
  if [[ -n "${refusal}" ]]; then
    refusal="${refusal#got unexpected status: }"
    jq -n --arg status "${refusal%% -- *}" --arg reason "${refusal#* -- }" '{accepted: false, status: $status, reason: $reason}'
    return 0
  fi
  log_error "submitting the config update to orderer-${org} failed: $(grep -o 'Error: .*' <<<"${log}" | head -n 1)"
  return 1
}

# channel_member_msps: the MSP IDs of the Application group's orgs in the
# latest config (as the first founding org's admin sees it), one per line.
channel_member_msps() {
  local work
  require_tool configtxlator || return 1
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: work is local
  trap "rm -rf '${work}'" RETURN
  channel_fetch_config "${ORGS[0]}" "${work}/config_block.pb" || return 1
  configtxlator_tool proto_decode --input "${work}/config_block.pb" --type common.Block --output "${work}/block.json" || return 1
  jq -r '.data.data[0].payload.data.config.channel_group.groups.Application.groups | keys[]' "${work}/block.json"
}
