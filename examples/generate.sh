#!/usr/bin/env bash
# Regenerates examples/certs/ and the example snapshots. Certificates are made by the openssl CLI
# (a small two-tier PKI), never by ldaps-audit itself; build-snapshots.js then shapes them into
# snapshots the way the Windows collector reports them. Dates are fixed so the examples stay stable.
set -euo pipefail
cd "$(dirname "$0")"
out=certs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -f "$out"/*.pem "$out"/*.key

cat >"$work/ca.cnf" <<CNF
[ ca ]
default_ca = ca_default
[ ca_default ]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = policy_any
copy_extensions = none
unique_subject = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ root_ext ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ issuing_ext ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ dc_ext ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = \$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ client_ext ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = \$ENV::SAN
authorityKeyIdentifier = keyid
CNF
touch "$work/index.txt"; echo 1000 >"$work/serial"

sign() { # name ext cn start end san [signer]
  local name=$1 ext=$2 cn=$3 start=$4 end=$5 signer=${7:-issuing}
  openssl req -new -newkey rsa:2048 -nodes -keyout "$work/$name.key" -subj "/O=Corp/CN=$cn" -out "$work/$name.csr" 2>/dev/null
  SAN=$6 openssl ca -batch -config "$work/ca.cnf" -extensions "$ext" -cert "$out/$signer.pem" -keyfile "$work/$signer.key" \
    -startdate "$start" -enddate "$end" -in "$work/$name.csr" -out "$work/$name.full" -notext 2>/dev/null
  openssl x509 -in "$work/$name.full" -out "$out/$name.pem"
}

# Root (self-signed) and issuing CA.
openssl req -new -newkey rsa:3072 -nodes -keyout "$work/root.key" -subj "/O=Corp/CN=Corp Root CA" -out "$work/root.csr" 2>/dev/null
SAN=DNS:unused openssl ca -batch -selfsign -config "$work/ca.cnf" -extensions root_ext -keyfile "$work/root.key" \
  -startdate 20200101000000Z -enddate 20450101000000Z -in "$work/root.csr" -out "$work/root.full" -notext 2>/dev/null
openssl x509 -in "$work/root.full" -out "$out/root.pem"
SAN=DNS:unused sign issuing issuing_ext "Corp Issuing CA 1" 20210101000000Z 20400101000000Z DNS:unused root

sign dc1 dc_ext dc1.corp.example.test 20260101000000Z 20360101000000Z "DNS:dc1.corp.example.test,DNS:corp.example.test"
sign dc1-renewed dc_ext dc1.corp.example.test 20260601000000Z 20360601000000Z "DNS:dc1.corp.example.test,DNS:corp.example.test"
sign web dc_ext web.corp.example.test 20260101000000Z 20360101000000Z "DNS:web.corp.example.test,DNS:intranet.corp.example.test"
sign client-only client_ext dc1.corp.example.test 20260101000000Z 20360101000000Z "DNS:dc1.corp.example.test"
sign expired dc_ext dc1.corp.example.test 20240101000000Z 20250630000000Z "DNS:dc1.corp.example.test"
sign lds1 dc_ext lds1.corp.example.test 20260101000000Z 20360101000000Z "DNS:lds1.corp.example.test"
cp "$work/dc1.key" "$out/dc1.key"

node build-snapshots.js
echo "examples regenerated"
