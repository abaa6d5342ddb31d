#!/usr/bin/env bash
# Host mode's one step: takes the policy-response binary out of the release image pinned by digest, checks it
# against the SHA-256 pinned beside that digest, then runs it on the runner as the container action runs it
# (`policy-response action`, reading INPUT_* and the GitHub context). Both pins are written into host/action.yml
# by the release workflow (.github/scripts/pin-host-action.sh); anything else fails closed before the binary runs.
#   POLICY_RESPONSE_IMAGE          REGISTRY/NAME@sha256:<64 hex>
#   POLICY_RESPONSE_BINARY_SHA256  <64 hex>, the SHA-256 of /usr/local/bin/policy-response in that image
#   POLICY_RESPONSE_JOB_CONTAINER  job.container.id: set when the job's steps run in a container, which host mode refuses
# Arguments, if any, replace `action` (the release workflow runs `--version` to smoke-test a release's pins).
# Trust: earlier steps of the job are trusted (they could change PATH, or the runner's own bash); the hash check
# makes sure the binary that runs is the one the release built, whatever registry, mirror or image cache served it.
set -euo pipefail

fail() {
  # One workflow command the runner shows as an error annotation; the text is ours, never the input's.
  echo "::error title=policy-response host mode::$1"
  exit 1
}

image=${POLICY_RESPONSE_IMAGE:-}
expected=${POLICY_RESPONSE_BINARY_SHA256:-}
image_pattern='^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+@sha256:[0-9a-f]{64}$'
if [[ $image == unreleased || $expected == unreleased ]]; then
  fail "this ref of host/action.yml is not a release, so it pins no binary: use a release (uses: OWNER/policy-response/host@v2, or a release tag's commit SHA). Nothing was run."
fi
if [[ ! $image =~ $image_pattern ]]; then
  fail "POLICY_RESPONSE_IMAGE in host/action.yml is not IMAGE@sha256:<64 hex digits>; refusing to run an image not pinned by digest. Nothing was run."
fi
if [[ ! $expected =~ ^[0-9a-f]{64}$ ]]; then
  fail "POLICY_RESPONSE_BINARY_SHA256 in host/action.yml is not 64 lower-case hex digits. Nothing was run."
fi
if [[ -n ${POLICY_RESPONSE_JOB_CONTAINER:-} ]]; then
  fail "this job runs its steps in a container (jobs.<job>.container), so host mode would run inside it, not on the runner: use the container action (uses: OWNER/policy-response@v2), or run this job without container:. Nothing was run."
fi
if [[ $(uname -s) != Linux || $(uname -m) != x86_64 ]]; then
  fail "host mode runs on Linux x64 runners; this runner is $(uname -s) $(uname -m). Nothing was run."
fi
if ! command -v docker >/dev/null 2>&1; then
  fail "host mode takes the binary out of the release image with docker, which this runner does not have (GitHub's ubuntu runners do). Nothing was run."
fi
: "${RUNNER_TEMP:?RUNNER_TEMP is not set: host mode runs in a GitHub Actions job}"

# A fresh folder of this step's own: nothing an earlier step left in RUNNER_TEMP is run.
folder=$(mktemp -d "$RUNNER_TEMP/policy-response.XXXXXXXX")
container=""
cleanup() {
  [ -z "$container" ] || docker rm --force "$container" >/dev/null 2>&1 || true
  rm -rf "$folder"
}
# Until the binary is verified and started, any exit removes what was taken out of the image.
trap cleanup EXIT

echo "policy-response host mode: taking the binary out of $image"
# docker pulls by digest and checks what it pulled against it.
if ! container=$(docker create "$image" 2>"$folder/docker.err"); then
  container=""
  sed 's/^/  docker: /' "$folder/docker.err" >&2
  fail "could not pull or create $image; the docker: lines above say why (a private image needs a docker login step before this one; a self-hosted runner's user needs access to the docker daemon). Nothing was run."
fi
if ! docker cp "$container:/usr/local/bin/policy-response" "$folder/policy-response" 2>"$folder/docker.err"; then
  sed 's/^/  docker: /' "$folder/docker.err" >&2
  fail "could not copy /usr/local/bin/policy-response out of $image. Nothing was run."
fi
docker rm --force "$container" >/dev/null 2>&1 || true
container=""

actual=$(sha256sum "$folder/policy-response" | cut -d' ' -f1)
if [[ $actual != "$expected" ]]; then
  rm -f "$folder/policy-response"
  fail "the binary in $image has SHA-256 $actual, not the $expected pinned in host/action.yml; refusing to run it. Nothing was run."
fi
chmod 0500 "$folder/policy-response"
echo "policy-response host mode: binary verified (sha256 $actual)"

# exec: the binary becomes this step's process, so the runner's SIGINT/SIGTERM on cancel reach it directly (it ends its
# actions and exits promptly). The runner empties RUNNER_TEMP after the job.
if [ $# -eq 0 ]; then
  set -- action
fi
trap - EXIT
exec "$folder/policy-response" "$@"
