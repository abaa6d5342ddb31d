#!/usr/bin/env bash
# Reads a release tag and says what the release workflow does with it, as GITHUB_OUTPUT lines:
#   version=2.5.1            the package version (the tag without its "v")
#   prerelease=true|false    true when the tag has a -suffix
#   move-major=true|false    true when the major tag v2 moves here: a release without suffix that is the
#                            highest v2.<minor>.<patch> among the other tags given (so an older patch
#                            release never drags v2 back)
#   release-version.sh TAG [OTHER_TAG...]
# Exit status 2, and no output, for a tag that is not v2.<minor>.<patch>[-suffix].
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: release-version.sh TAG [OTHER_TAG...]" >&2; exit 2; }
tag=$1
shift

number='(0|[1-9][0-9]*)'
final="^v2\\.$number\\.$number\$"
release="^v2\\.$number\\.$number(-[0-9A-Za-z]+([.-][0-9A-Za-z]+)*)?\$"
if [[ ! $tag =~ $release ]]; then
  echo "release-version: '$tag' is not a release tag v2.<minor>.<patch>[-suffix]; refusing to release it" >&2
  exit 2
fi

version=${tag#v}
if [[ $tag =~ $final ]]; then
  prerelease=false
  move_major=true
  for other in "$@"; do
    if [[ $other =~ $final ]] && [ "$other" != "$tag" ] \
       && [ "$(printf '%s\n%s\n' "$tag" "$other" | sort -V | tail -n 1)" = "$other" ]; then
      echo "release-version: $other is a higher release than $tag; v2 stays where it is" >&2
      move_major=false
    fi
  done
else
  prerelease=true
  move_major=false
fi

echo "version=$version"
echo "prerelease=$prerelease"
echo "move-major=$move_major"
