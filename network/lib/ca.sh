# shellcheck shell=bash
# Each org's Fabric CA, and every identity the network needs, enrolled from it:
# the org MSP, the org admin, the peer and orderer (sign + TLS), and one staff
# user per role with the role as the certificate attribute `civic.role`.
#
# Layout under ${CIVIC_NETWORK_HOME}/orgs/<org>/:
#   ca/                 fabric-ca-server home (ca-cert.pem is the org's root CA and TLS CA)
#   msp/                the org MSP for the channel config (cacerts, tlscacerts, config.yaml)
#   registrar/          the CA bootstrap identity's client home
#   peer/{msp,tls}      peer0's signing identity and TLS key pair
#   orderer/{msp,tls}   orderer0's signing identity and TLS key pair
# and ${CIVIC_WALLET}/<org>/<user>/msp for admin and staff users.

CIVIC_WALLET="${CIVIC_WALLET:-${CIVIC_NETWORK_HOME}/wallet}"
STAFF_ROLES=(clerk auditor issuer registrar court lender engineer allocation-officer debt-counsellor creditor)

ca_home() { printf '%s\n' "${CIVIC_NETWORK_HOME}/orgs/$1/ca"; }
ca_name() { printf 'ca-%s\n' "$1"; }
ca_url() { printf 'https://%s:%s\n' "$(node_host "$1")" "$(port_of "$1" ca)"; }
csr_names() { printf 'C=NL,L=Civic Ledger,O=%s\n' "$(org_msp "$1")"; }
ca_root_cert() { printf '%s\n' "$(ca_home "$1")/ca-cert.pem"; }

# tls_hosts ORG: the names a TLS server certificate of ORG's nodes carries (subject
# alternative names): localhost and 127.0.0.1, and the org's node address.
tls_hosts() {
  local host
  host="$(node_host "$1")"
  if [[ "${host}" == 127.0.0.1 ]]; then
    printf 'localhost,127.0.0.1\n'
  else
    printf 'localhost,127.0.0.1,%s\n' "${host}"
  fi
}

# ca_bootstrap_secret ORG: the CA bootstrap admin's password, generated once.
ca_bootstrap_secret() { node_secret "$1" ca-admin; }

# write_ca_config ORG FILE: the CA's subject names and signing profiles
# and its bootstrap registrar, ca-admin (everything else is Fabric CA's
# default or set by flags at start). Readable by its owner only.
write_ca_config() {
  local org="$1"
  (umask 077 && : >"$2")
  cat >"$2" <<YAML
csr:
  cn: $(ca_name "${org}")
  names:
    - C: NL
      L: Civic Ledger
      O: $(org_msp "${org}")
      OU: ${org}
  hosts: [$(tls_hosts "${org}" | sed 's/,/, /g')]
  ca:
    expiry: 131400h
    pathlength: 1
registry:
  maxenrollments: -1
  identities:
    - name: ca-admin
      pass: $(ca_bootstrap_secret "${org}")
      type: client
      affiliation: ""
      attrs:
        hf.Registrar.Roles: "*"
        hf.Registrar.DelegateRoles: "*"
        hf.Registrar.Attributes: "*"
        hf.Revoker: true
        hf.GenCRL: true
        hf.AffiliationMgr: true
signing:
  default:
    usage: [digital signature]
    expiry: 8760h
  profiles:
    tls:
      usage: [signing, key encipherment, server auth, client auth, key agreement]
      expiry: 8760h
YAML
}

# start_ca ORG: start the org's Fabric CA (TLS on) and wait until it is healthy.
start_ca() {
  local org="$1" server home host
  host="$(node_host "${org}")"
  server="$(find_tool fabric-ca-server)" || { log_error "fabric-ca-server not installed"; return 1; }
  home="$(ca_home "${org}")"
  mkdir -p "${home}"
  [[ -f "${home}/fabric-ca-server-config.yaml" ]] || write_ca_config "${org}" "${home}/fabric-ca-server-config.yaml"
  start_node "ca-${org}" env \
    FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS="${host}:$(port_of "${org}" ca_ops)" \
    FABRIC_CA_SERVER_METRICS_PROVIDER=disabled \
    "${server}" start -H "${home}" \
    --address "${host}" --port "$(port_of "${org}" ca)" \
    --ca.name "$(ca_name "${org}")" --csr.cn "$(ca_name "${org}")" --csr.hosts "$(tls_hosts "${org}")" \
    --tls.enabled
  wait_healthy "ca-${org}" "http://${host}:$(port_of "${org}" ca_ops)/healthz" 60 "$(port_of "${org}" ca)"
}

# ca_client ORG HOME URL ARGS...: run fabric-ca-client against the org's CA at URL.
ca_client() {
  local org="$1" home="$2" url="$3"
  shift 3
  "$(find_tool fabric-ca-client)" "$@" -H "${home}" --caname "$(ca_name "${org}")" \
    --tls.certfiles "$(ca_root_cert "${org}")" -u "${url}" --loglevel warning
}

# write_node_ou_config MSP_DIR: Fabric NodeOUs config, classifying identities
# by the OU (client, peer, admin, orderer) Fabric CA puts in each certificate.
write_node_ou_config() {
  local msp="$1" ou
  {
    echo "NodeOUs:"
    echo "  Enable: true"
    for ou in client peer admin orderer; do
      echo "  ${ou^}OUIdentifier:"
      echo "    Certificate: cacerts/ca.pem"
      echo "    OrganizationalUnitIdentifier: ${ou}"
    done
  } >"${msp}/config.yaml"
}

# normalize_msp ORG MSP_DIR: name the CA cert cacerts/ca.pem, add tlscacerts and NodeOUs.
normalize_msp() {
  local org="$1" msp="$2"
  rm -f "${msp}"/cacerts/*.pem
  mkdir -p "${msp}/cacerts" "${msp}/tlscacerts"
  cp "$(ca_root_cert "${org}")" "${msp}/cacerts/ca.pem"
  cp "$(ca_root_cert "${org}")" "${msp}/tlscacerts/ca.pem"
  write_node_ou_config "${msp}"
}

# register_identity ORG NAME SECRET TYPE [ATTRS]: register with the bootstrap
# registrar; an identity that is already registered is left as it is.
register_identity() {
  local org="$1" name="$2" secret="$3" type="$4" attrs="${5:-}" registrar out
  registrar="${CIVIC_NETWORK_HOME}/orgs/${org}/registrar"
  local args=(register --id.name "${name}" --id.secret "${secret}" --id.type "${type}")
  [[ -n "${attrs}" ]] && args+=(--id.attrs "${attrs}")
  if ! out="$(ca_client "${org}" "${registrar}" "$(ca_url "${org}")" "${args[@]}" 2>&1)"; then
    if grep -q 'is already registered' <<<"${out}"; then
      return 0
    fi
    log_error "registering ${name} with $(ca_name "${org}"): ${out}"
    return 1
  fi
}

# enroll_identity ORG NAME SECRET MSP_DIR [TLS_DIR]: enroll a signing identity
# into MSP_DIR and, with TLS_DIR, a TLS key pair (server.crt, server.key, ca.crt).
enroll_identity() {
  local org="$1" name="$2" secret="$3" msp="$4" tls="${5:-}" url work
  url="https://${name}:${secret}@$(node_host "${org}"):$(port_of "${org}" ca)"
  work="$(dirname "${msp}")"
  mkdir -p "${work}"
  ca_client "${org}" "${work}" "${url}" enroll -M "${msp}" --csr.names "$(csr_names "${org}")" >/dev/null
  normalize_msp "${org}" "${msp}"
  [[ -z "${tls}" ]] || enroll_tls "${org}" "${name}" "${secret}" "${tls}"
}

# enroll_tls ORG NAME SECRET TLS_DIR: enroll a TLS key pair (server and client
# auth) for NAME into TLS_DIR as server.crt, server.key and ca.crt.
enroll_tls() {
  local org="$1" name="$2" secret="$3" tls="$4" url
  url="https://${name}:${secret}@$(node_host "${org}"):$(port_of "${org}" ca)"
  mkdir -p "${tls}"
  ca_client "${org}" "${tls}" "${url}" enroll -M "${tls}/enroll" --csr.names "$(csr_names "${org}")" \
    --enrollment.profile tls --csr.hosts "$(tls_hosts "${org}")" >/dev/null
  cp "${tls}/enroll/signcerts/"*.pem "${tls}/server.crt"
  cp "${tls}/enroll/keystore/"*_sk "${tls}/server.key"
  cp "$(ca_root_cert "${org}")" "${tls}/ca.crt"
}

# node_secret ORG NAME: a per-identity enrollment secret, generated once and
# kept in ${CIVIC_NETWORK_HOME}/secrets (owner-only).
node_secret() {
  local file="${CIVIC_NETWORK_HOME}/secrets/$1-$2"
  if [[ ! -f "${file}" ]]; then
    mkdir -p "$(dirname "${file}")"
    (umask 077 && openssl rand -hex 16 >"${file}")
  fi
  cat "${file}"
}

# enroll_org ORG: create the org's MSP and enroll every identity it needs;
# skips what exists, so a resumed network keeps its keys.
enroll_org() {
  local org="$1" base="${CIVIC_NETWORK_HOME}/orgs/$1" role
  if [[ ! -f "${base}/registrar/msp/signcerts/cert.pem" ]]; then
    enroll_identity "${org}" ca-admin "$(ca_bootstrap_secret "${org}")" "${base}/registrar/msp"
  fi
  if [[ ! -f "${base}/msp/config.yaml" ]]; then
    mkdir -p "${base}/msp"
    normalize_msp "${org}" "${base}/msp"
  fi
  local admin_attrs='"hf.Registrar.Roles=client,peer,orderer,admin","hf.Registrar.Attributes=civic.role",hf.Revoker=true,civic.role=admin:ecert'
  ensure_identity "${org}" admin admin "${admin_attrs}" "${CIVIC_WALLET}/${org}/admin/msp"
  # The admin's TLS client key pair, for the orderers' channel participation API (mutual TLS).
  [[ -f "${CIVIC_WALLET}/${org}/admin/tls/server.crt" ]] ||
    enroll_tls "${org}" admin "$(node_secret "${org}" admin)" "${CIVIC_WALLET}/${org}/admin/tls"
  ensure_identity "${org}" peer0 peer "" "${base}/peer/msp" "${base}/peer/tls"
  # A joining org brings a peer only; the channel's orderers stay the founders'.
  [[ -n "${JOINING_ORG:-}" ]] || ensure_identity "${org}" orderer0 orderer "" "${base}/orderer/msp" "${base}/orderer/tls"
  for role in "${STAFF_ROLES[@]}"; do
    ensure_identity "${org}" "${role}" client "civic.role=${role}:ecert" "${CIVIC_WALLET}/${org}/${role}/msp"
  done
  # The org admin's certificate is an admin of the org MSP (NodeOUs: OU=admin).
}

# ensure_identity ORG NAME TYPE ATTRS MSP_DIR [TLS_DIR]: register and enroll unless enrolled.
ensure_identity() {
  local org="$1" name="$2" type="$3" attrs="$4" msp="$5" tls="${6:-}" secret
  [[ -f "${msp}/signcerts/cert.pem" ]] && return 0
  secret="$(node_secret "${org}" "${name}")"
  register_identity "${org}" "${name}" "${secret}" "${type}" "${attrs}"
  enroll_identity "${org}" "${name}" "${secret}" "${msp}" "${tls}"
  log_info "${org}: enrolled ${name} (${type}${attrs:+, ${attrs##*civic.role=}})"
}
