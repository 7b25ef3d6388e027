#!/usr/bin/env bash
# Run the Caliper 0.6 cross-check against a running Civic Ledger network:
#   CIVIC_NETWORK_HOME=… bash bench/caliper/run.sh [CALIPER_DIR]
# CALIPER_DIR (default /tmp/civic-caliper) holds Caliper itself, installed there once with
# `npm install @hyperledger/caliper-cli@0.6.0` and bound with `caliper bind --caliper-bind-sut
# fabric:fabric-gateway`, so that Caliper's dependencies stay out of the project's.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="${CIVIC_NETWORK_HOME:?set CIVIC_NETWORK_HOME to the network state folder}"
caliper_dir="${1:-/tmp/civic-caliper}"
wallet="${home}/wallet"
out="$(mktemp -d)"

key_of() { basename "$(ls "${wallet}/$1/$2/msp/keystore/"*_sk)"; }

vars=(WALLET="${wallet}" PROFILES="${home}/connection-profiles")
for org in city agencies utilities; do
  for user in clerk creditor; do
    vars+=("${org^^}_${user^^}_KEY=$(key_of "${org}" "${user}")")
  done
done
env "${vars[@]}" envsubst <"${here}/network.template.yaml" >"${out}/network.yaml"
cd "${here}"
NODE_PATH="${caliper_dir}/node_modules" "${caliper_dir}/node_modules/.bin/caliper" launch manager \
  --caliper-workspace "${here}" \
  --caliper-networkconfig "${out}/network.yaml" \
  --caliper-benchconfig benchmark.yaml \
  --caliper-flow-only-test \
  --caliper-report-path "${out}/report.html"
echo "caliper report: ${out}/report.html" >&2
