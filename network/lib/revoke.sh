# shellcheck shell=bash
# A revoked staff certificate refused by the whole channel: the org's CA lists it in its CRL
# (fabric-ca-client revoke --gencrl, run by `civic staff revoke`), and the org's admin puts
# that CRL into the org's MSP definition in the channel config (the MSP's revocation_list),
# with Fabric's own tools, as Fabric's docs describe ("Revoking a certificate" in the MSP
# documentation: the CRL goes into the channel config by a config update):
#
#   channel-set-crl ORG CRL   set the revocation_list of ORG's MSP to the CRL (PEM) in every
#                             group of the channel config that defines that MSP (the
#                             Application org and, for a founding org, its Orderer org: Fabric
#                             refuses a config where one MSP ID has two definitions), by a
#                             config update (configtxlator compute_update) that ORG's admin
#                             signs and submits (peer channel update; each org group's mod_policy
#                             is the org's own Admins policy, so ORG's admin alone may change it);
#                             then waits until the update is in a config block and each org's
#                             first peer has it. Prints {mspId, groups, configBlock, accepted}
#                             or, when the orderer refused, {accepted: false, status, reason}.

# crl_config_block ORG WORK: fetch the latest config block as ORG's admin and decode it to
# WORK/config.json (the config) and WORK/config_block.json; prints the block number.
crl_config_block() {
  local org="$1" work="$2"
  channel_fetch_config "${org}" "${work}/config_block.pb" || return 1
  configtxlator_tool proto_decode --input "${work}/config_block.pb" --type common.Block --output "${work}/config_block.json" || return 1
  jq '.data.data[0].payload.data.config' "${work}/config_block.json" >"${work}/config.json"
  jq -r '.header.number // "0"' "${work}/config_block.json"
}

# crl_groups MSP CONFIG_JSON: the paths (Application, Orderer) of the groups defining MSP.
crl_groups() {
  jq -r --arg m "$1" '.channel_group.groups | to_entries[] | select(.value.groups | has($m)) | .key' "$2"
}

# cmd_channel_set_crl ORG CRL: see the header.
cmd_channel_set_crl() {
  local org="$1" crl="$2" msp work crl64 groups number verdict n want
  require_tool configtxlator || return 1
  msp="$(org_msp "${org}")"
  if ! openssl crl -in "${crl}" -noout 2>/dev/null; then
    log_error "--crl '${crl}' is not a certificate revocation list (PEM, as 'fabric-ca-client gencrl' writes)"
    return 2
  fi
  load_port_map
  crl64="$(base64 -w0 <"${crl}")"
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: work is local
  trap "rm -rf '${work}'" RETURN
  crl_config_block "${org}" "${work}" >/dev/null || return 1
  mapfile -t groups < <(crl_groups "${msp}" "${work}/config.json")
  if [[ "${#groups[@]}" -eq 0 ]]; then
    log_error "${msp} is not a member of '${CHANNEL_NAME}'"
    return 2
  fi
  jq --arg m "${msp}" --arg crl "${crl64}" \
    '.channel_group.groups |= with_entries(if (.value.groups | has($m)) then .value.groups[$m].values.MSP.value.config.revocation_list = [$crl] else . end)' \
    "${work}/config.json" >"${work}/modified.json"
  # Compared as JSON: protobuf encodings of equal configs may differ in map order.
  if jq -e --slurpfile a "${work}/modified.json" '. == $a[0]' "${work}/config.json" >/dev/null; then
    log_info "the channel config already holds this CRL for ${msp}"
    jq -n --arg m "${msp}" --argjson g "$(printf '%s\n' "${groups[@]}" | jq -R . | jq -s .)" --argjson b "$(jq -r '.header.number // "0"' "${work}/config_block.json")" \
      '{mspId: $m, groups: $g, configBlock: $b, accepted: true, changed: false}'
    return 0
  fi
  configtxlator_tool proto_encode --input "${work}/config.json" --type common.Config --output "${work}/config.pb" || return 1
  configtxlator_tool proto_encode --input "${work}/modified.json" --type common.Config --output "${work}/modified.pb" || return 1
  configtxlator_tool compute_update --channel_id "${CHANNEL_NAME}" --original "${work}/config.pb" --updated "${work}/modified.pb" \
    --output "${work}/update.pb" || return 1
  configtxlator_tool proto_decode --input "${work}/update.pb" --type common.ConfigUpdate --output "${work}/update.json" || return 1
  jq -n --arg ch "${CHANNEL_NAME}" --slurpfile u "${work}/update.json" \
    '{payload: {header: {channel_header: {channel_id: $ch, type: 2}}, data: {config_update: $u[0]}}}' >"${work}/envelope.json"
  configtxlator_tool proto_encode --input "${work}/envelope.json" --type common.Envelope --output "${work}/update.envelope.pb" || return 1
  verdict="$(cmd_channel_submit "${org}" "${work}/update.envelope.pb")" || return 1
  if [[ "$(jq -r .accepted <<<"${verdict}")" != true ]]; then
    printf '%s\n' "${verdict}"
    return 0
  fi
  # The orderer took it; wait for the config block that holds it, then for each org's first peer.
  for ((n = 0; n < 60; n++)); do
    number="$(crl_config_block "${org}" "${work}")" || return 1
    want="$(jq -r --arg m "${msp}" --arg g "${groups[0]}" '.channel_group.groups[$g].groups[$m].values.MSP.value.config.revocation_list // [] | first // ""' "${work}/config.json")"
    [[ "${want}" == "${crl64}" ]] && break
    sleep 1
  done
  if [[ "${want}" != "${crl64}" ]]; then
    log_error "the orderer accepted the config update but no config block holds it after 60 s"
    return 1
  fi
  local other height
  for other in "${ORGS[@]}"; do
    for ((n = 0; n < 60; n++)); do
      # A metrics read that fails (the peer busy, curl cut off by the pipe) is one more try.
      height="$(peer_height "${other}" || true)"
      [[ -n "${height}" && "${height}" -gt "${number}" ]] && break
      sleep 1
    done
    [[ -n "${height}" && "${height}" -gt "${number}" ]] || log_error "peer-${other} has not reached config block ${number} after 60 s"
  done
  log_info "${msp}'s CRL is in config block ${number} of '${CHANNEL_NAME}' (${groups[*]})"
  jq -n --arg m "${msp}" --argjson g "$(printf '%s\n' "${groups[@]}" | jq -R . | jq -s .)" --argjson b "${number}" \
    '{mspId: $m, groups: $g, configBlock: $b, accepted: true, changed: true}'
}
