#!/usr/bin/env bash
# The demo's story after the identity scenario: one short story per service (land, allocation,
# debt, petition) through the `civic` CLI, against a network that is already up.
# scripts/demo.sh sources this file once its network is up; it also runs on its own against any
# running network (build first), e.g.
#   CIVIC_NETWORK_HOME=/tmp/civic-dev CIVIC_BASE_PORT=31000 bash scripts/demo-story.sh
# Every parcel, round and petition id carries this run's suffix, so the story can run again on
# the same network. Its input files and keys live in a temporary folder, removed on success.

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
fi
# When sourced, demo.sh's own step and civic are used.
if ! declare -F step >/dev/null; then
  step() { printf '\n== %s\n' "$*" >&2; }
fi
if ! declare -F civic >/dev/null; then
  civic() {
    printf '$ civic %s\n' "$*" >&2
    node cli/bin/civic.js "$@"
  }
fi
# Citizen key files are encrypted under a passphrase; a script supplies it here.
export CIVIC_KEY_PASSPHRASE="${CIVIC_KEY_PASSPHRASE:-demo passphrase, not for real keys}"

# A citizen: a key pair and DID made on their device, the DID registered at ORG's front desk.
# Usage: story_citizen NAME ORG (the key file is ${story_dir}/NAME.key.json)
story_citizen() {
  civic identity keygen --out "${story_dir}/$1.key.json"
  civic --org "$2" --user clerk identity register --key "${story_dir}/$1.key.json"
}

story_did() { jq -r .did "${story_dir}/$1.key.json"; }

story_land() {
  step "land: a parcel registered, then sold with seller's offer, buyer's acceptance and the registrar's approval"
  local parcel="AM-K-${story_run}" offer
  echo "deed of ${parcel}, 2026" >"${story_dir}/deed.pdf"
  echo "deed of sale of ${parcel} to Bob" >"${story_dir}/deed-of-sale.pdf"
  civic --org city --user registrar land register --parcel "${parcel}" --area 250 --land-use residential \
    --location 4.9,52.37 --owner "${alice}=1" --deed "${story_dir}/deed.pdf"
  offer="$(civic --json --org agencies --user clerk land offer --key "${story_dir}/alice.key.json" --parcel "${parcel}" \
    --buyer "${bob}" --price 325000 --deed "${story_dir}/deed-of-sale.pdf")"
  jq -r '"offer \(.result.result.offerId) on \(.result.result.cadastralId): \(.result.result.status), price €\(.result.result.priceCents / 100)\n  tx \(.result.transactionId) in block \(.result.blockNumber)"' <<<"${offer}"
  offer="$(jq -r .result.result.offerId <<<"${offer}")"
  civic --org utilities --user clerk land accept --key "${story_dir}/bob.key.json" --parcel "${parcel}" --offer "${offer}"
  civic --org city --user registrar land approve --parcel "${parcel}" --offer "${offer}"
  civic --org agencies land show "${parcel}"
}

story_allocation() {
  step "allocation: a round of 2 market sites, 3 applicants, a secret share from each org, frozen at close, the shares revealed and drawn, verified by another org"
  local round="fairs-${story_run}" org
  printf 'id,category\nF1,food\nC1,crafts\n' >"${story_dir}/sites.csv"
  civic --org city --user allocation-officer allocation open --round "${round}" --title "Weekend fairs" \
    --sites "${story_dir}/sites.csv" --closes 2030-03-01T12:00:00Z
  # Each org's officer commits to a share kept in a file in its own wallet; nobody knows the seed yet.
  for org in city agencies utilities; do
    civic --org "${org}" --user allocation-officer allocation commit --round "${round}"
  done
  civic --org agencies --user clerk allocation apply --key "${story_dir}/alice.key.json" --round "${round}" --prefer F1 C1
  civic --org utilities --user clerk allocation apply --key "${story_dir}/bob.key.json" --round "${round}" --prefer F1
  civic --org city --user clerk allocation apply --key "${story_dir}/carol.key.json" --round "${round}" --prefer C1 F1
  civic --org city --user allocation-officer allocation close --round "${round}"
  for org in city agencies utilities; do
    civic --org "${org}" --user allocation-officer allocation reveal --round "${round}"
  done
  civic --org agencies --user auditor allocation shares "${round}"
  civic --org agencies --user allocation-officer allocation draw --round "${round}"
  civic --org city allocation results "${round}"
  civic --org utilities --user auditor allocation verify "${round}"
}

story_debt() {
  step "debt: a debt kept in the Agencies' private collection, Carol's consent, the City counsellor's overview"
  civic --org agencies --user creditor debt record --subject "${carol}" --reference "AG-${story_run}" --amount 480.00 \
    --origin "rent arrears 2026-Q3" --since 2026-08-01
  civic --org city --user debt-counsellor debt consent --key "${story_dir}/carol.key.json" --creditors agencies \
    --valid-days 30 --out "${story_dir}/carol.consent.json"
  civic --org city --user debt-counsellor debt overview --consent "${story_dir}/carol.consent.json"
}

story_petition() {
  step "petition: created by the City; a resident gets a blind-signed token, signs anonymously; the count is audited"
  local petition="riverside-sundays-${story_run}" registry nonce schema
  local audience=https://petitions.example.city
  # The population registry: a DID the City trusts to issue residency credentials.
  story_citizen registry city
  registry="$(story_did registry)"
  civic --org city --user admin identity issuer-register --did "${registry}" --name "Civitas Population Registry" \
    --issuer-org city --types ResidencyCredential
  cat >"${story_dir}/residency.schema.json" <<'JSON'
{ "type": "ResidencyCredential", "version": 1,
  "claims": [{ "name": "resident_of", "type": "string" }, { "name": "age_over_16", "type": "boolean" }] }
JSON
  # A credential schema is registered once per network: an earlier run may have done it.
  if ! schema="$(civic --json --org city --user admin identity schema-register --file "${story_dir}/residency.schema.json")"; then
    if [[ "$(jq -r .error.code <<<"${schema}")" != ALREADY_EXISTS ]]; then
      printf '%s\n' "${schema}" >&2
      return 1
    fi
    echo "ResidencyCredential v1 is already registered (an earlier run)"
  fi
  civic --org city --user issuer identity issue --issuer-key "${story_dir}/registry.key.json" --holder "${alice}" \
    --type ResidencyCredential --claim resident_of=Civitas --claim age_over_16=true --out "${story_dir}/alice.residency.sd-jwt"

  echo "Open the Riverside library on Sundays." >"${story_dir}/petition.txt"
  civic --org city --user clerk petition create --id "${petition}" --title "Open Riverside library on Sundays" \
    --text-file "${story_dir}/petition.txt" --threshold 2 --closes 2030-01-31T23:00:00Z \
    --credential-type ResidencyCredential --require resident_of=Civitas --key-out "${story_dir}/${petition}.token-key.json"
  civic petition token request --petition "${petition}" --key "${story_dir}/alice.key.json" \
    --out "${story_dir}/alice.request.json" --state-out "${story_dir}/alice.blinding.json"
  nonce="$(civic identity challenge)"
  echo "${nonce}"
  civic identity present --key "${story_dir}/alice.key.json" --credential "${story_dir}/alice.residency.sd-jwt" \
    --disclose resident_of --audience "${audience}" --nonce "${nonce}" --out "${story_dir}/alice.residency.txt"
  civic --org city --user issuer petition token issue --request "${story_dir}/alice.request.json" \
    --presentation "${story_dir}/alice.residency.txt" --audience "${audience}" --nonce "${nonce}" \
    --token-key "${story_dir}/${petition}.token-key.json" --out "${story_dir}/alice.blind-sig.json"
  civic petition token finalize --state "${story_dir}/alice.blinding.json" \
    --blind-signature "${story_dir}/alice.blind-sig.json" --out "${story_dir}/alice.token.json"
  civic --org utilities --user clerk petition sign --token "${story_dir}/alice.token.json" --option Yes
  civic --org agencies --user auditor petition audit "${petition}"
}

demo_story() {
  local started="${SECONDS}"
  story_run="$(date -u +%y%m%d%H%M%S)$((RANDOM % 10))"
  story_dir="$(mktemp -d -t civic-story.XXXXXX)"
  step "citizens for the story (run ${story_run}; files in ${story_dir})"
  story_citizen alice agencies
  story_citizen bob utilities
  story_citizen carol city
  alice="$(story_did alice)"
  bob="$(story_did bob)"
  carol="$(story_did carol)"
  story_land
  story_allocation
  story_debt
  story_petition
  rm -rf "${story_dir}"
  step "story done in $((SECONDS - started)) s"
}

demo_story
