#!/usr/bin/env bash
# Writes the released image (repository:version@sha256:digest) into every dtp image reference of the Tekton
# tasks, the sharded pipeline and the schedule's CronJob. Run by .github/workflows/release.yml after the image is pushed; the files it rewrites are
# attached to the GitHub release, which is where the Tekton task is installed from (tekton/README.md). The
# committed files keep the placeholder digest (64 zeros), which no registry serves: an unreleased task cannot
# run an image nobody reviewed.
#   tekton/release/pin-image.sh quay.io/example/dtp:1.2.3@sha256:<64 hex> [tekton folder]
set -euo pipefail
ref="${1:?usage: pin-image.sh <repository>:<version>@sha256:<digest> [tekton folder]}"
dir="${2:-$(dirname "$0")/..}"
if ! [[ "$ref" =~ ^[a-z0-9.:/_-]+:[0-9A-Za-z._-]+@sha256:[0-9a-f]{64}$ ]]; then
  echo "pin-image.sh: not <repository>:<version>@sha256:<64 hex>: $ref" >&2
  exit 2
fi
files=(
  "$dir/task/dtp/0.1/dtp.yaml"
  "$dir/task/dtp-one-at-a-time/0.1/dtp-one-at-a-time.yaml"
  "$dir/pipeline/dtp-reconcile-sharded.yaml"
  "$dir/triggers/cronjob.yaml"
)
for f in "${files[@]}"; do
  # Every `image:` of the dtp image, whatever tag and digest it had, becomes the released reference.
  sed -E -i "s#^([[:space:]]*image:[[:space:]]*)[^[:space:]]*/dtp:[^[:space:]@]+@sha256:[0-9a-f]{64}[[:space:]]*\$#\1${ref}#" "$f"
  if grep -Eq 'sha256:0{64}' "$f" || ! grep -Fq "image: ${ref}" "$f"; then
    echo "pin-image.sh: $f still has an unpinned dtp image" >&2
    exit 1
  fi
done
echo "pinned ${ref} in ${files[*]}"
