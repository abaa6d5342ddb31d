#!/usr/bin/env bash
# Points host/action.yml at a released binary: rewrites its two pins
#   POLICY_RESPONSE_IMAGE: REGISTRY/NAME@sha256:<64 hex>          (the release image, by digest)
#   POLICY_RESPONSE_BINARY_SHA256: <64 hex>                       (/usr/local/bin/policy-response in it)
# and changes nothing else. Used by .github/workflows/release.yml on the tagged commit, beside pin-action-image.sh.
#   pin-host-action.sh IMAGE@sha256:DIGEST BINARY_SHA256 [ACTION_FILE]   (ACTION_FILE defaults to host/action.yml)
# Exit status: 0 pinned; 2 bad arguments, or the file has not exactly one line of each pin, or the result does
# not hold exactly the two pins given. On any failure the file is left as it was.
set -euo pipefail

usage() { echo "usage: pin-host-action.sh IMAGE@sha256:DIGEST BINARY_SHA256 [ACTION_FILE]" >&2; exit 2; }
if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
ref=$1
binary_sha=$2
file=${3:-host/action.yml}

ref_pattern='^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+@sha256:[0-9a-f]{64}$'
if [[ ! $ref =~ $ref_pattern ]]; then
  echo "pin-host-action: '$ref' is not IMAGE@sha256:<64 lower-case hex digits>" >&2
  exit 2
fi
if [[ ! $binary_sha =~ ^[0-9a-f]{64}$ ]]; then
  echo "pin-host-action: '$binary_sha' is not a SHA-256 (64 lower-case hex digits)" >&2
  exit 2
fi
[ -f "$file" ] || { echo "pin-host-action: $file not found" >&2; exit 2; }

for name in POLICY_RESPONSE_IMAGE POLICY_RESPONSE_BINARY_SHA256; do
  count=$(grep -cE "^[[:space:]]+$name:" "$file" || true)
  if [ "$count" -ne 1 ]; then
    echo "pin-host-action: $file has $count '$name:' lines; expected exactly one" >&2
    exit 2
  fi
done

tmp=$(mktemp "$(dirname "$file")/.pin-host-action.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# Keep each line's indentation; replace only its value.
IMAGE_REF="$ref" BINARY_SHA="$binary_sha" awk '
  /^[[:space:]]+POLICY_RESPONSE_IMAGE:/ { match($0, /^[[:space:]]+/); print substr($0, 1, RLENGTH) "POLICY_RESPONSE_IMAGE: " ENVIRON["IMAGE_REF"]; next }
  /^[[:space:]]+POLICY_RESPONSE_BINARY_SHA256:/ { match($0, /^[[:space:]]+/); print substr($0, 1, RLENGTH) "POLICY_RESPONSE_BINARY_SHA256: " ENVIRON["BINARY_SHA"]; next }
  { print }
' "$file" > "$tmp"

if [ "$(grep -cxE "[[:space:]]+POLICY_RESPONSE_IMAGE: $ref" "$tmp" || true)" -ne 1 ] \
   || [ "$(grep -cxE "[[:space:]]+POLICY_RESPONSE_BINARY_SHA256: $binary_sha" "$tmp" || true)" -ne 1 ] \
   || [ "$(diff "$file" "$tmp" | grep -c '^[<>]' || true)" -gt 4 ]; then
  echo "pin-host-action: the rewritten $file does not hold exactly the two pins" >&2
  exit 2
fi

chmod --reference="$file" "$tmp"
mv -f "$tmp" "$file"
trap - EXIT
echo "pinned $file: $ref, binary sha256 $binary_sha"
