#!/usr/bin/env bash
# Points action.yml at a prebuilt image: rewrites its one `image:` line (runs.image) to
#   image: 'docker://REGISTRY/NAME@sha256:<64 hex>'
# and changes nothing else. Used by .github/workflows/release.yml on the tagged commit.
#   pin-action-image.sh IMAGE@sha256:DIGEST [ACTION_FILE]   (ACTION_FILE defaults to action.yml)
# Exit status: 0 pinned; 2 bad arguments, or the file has not exactly one image line, or the result
# is not exactly one pinned image line. On any failure the file is left as it was.
set -euo pipefail

usage() { echo "usage: pin-action-image.sh IMAGE@sha256:DIGEST [ACTION_FILE]" >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
ref=$1
file=${2:-action.yml}

# A lower-case registry/repository name (as Docker requires) and a full sha256 digest; no tag.
ref_pattern='^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+@sha256:[0-9a-f]{64}$'
if [[ ! $ref =~ $ref_pattern ]]; then
  echo "pin-action-image: '$ref' is not IMAGE@sha256:<64 lower-case hex digits>" >&2
  exit 2
fi
[ -f "$file" ] || { echo "pin-action-image: $file not found" >&2; exit 2; }

image_line='^[[:space:]]+image:'
count=$(grep -cE "$image_line" "$file" || true)
if [ "$count" -ne 1 ]; then
  echo "pin-action-image: $file has $count 'image:' lines; expected exactly one (runs.image)" >&2
  exit 2
fi

tmp=$(mktemp "$(dirname "$file")/.pin-action-image.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# Keep the line's indentation; replace only its value.
REF="docker://$ref" awk -v pattern="$image_line" '
  $0 ~ pattern { match($0, /^[[:space:]]+/); print substr($0, 1, RLENGTH) "image: '\''" ENVIRON["REF"] "'\''"; next }
  { print }
' "$file" > "$tmp"

pinned="^[[:space:]]+image: 'docker://[^'[:space:]]+@sha256:[0-9a-f]{64}'\$"
if [ "$(grep -cE "$image_line" "$tmp" || true)" -ne 1 ] || [ "$(grep -cE "$pinned" "$tmp" || true)" -ne 1 ] \
   || [ "$(diff "$file" "$tmp" | grep -c '^[<>]' || true)" -gt 2 ]; then
  echo "pin-action-image: the rewritten $file does not have exactly one pinned image line" >&2
  exit 2
fi

chmod --reference="$file" "$tmp"
mv -f "$tmp" "$file"
trap - EXIT
echo "pinned $file: image: 'docker://$ref'"
