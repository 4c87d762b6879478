#!/bin/sh
# Roll a release out on a single compose host: `sh deploy.sh IMAGE`, run in the directory that
# holds compose.yaml and the host's .env (secrets; see .env.example). The CI deploy job copies
# both scripts there and runs this over SSH.
#   1. pull the image, record it in .env (a reboot or a later `up` keeps the release);
#   2. migrations once, as a one-off container, while the old release keeps serving;
#   3. web, then the workers and beat, recreated on the new image; `--wait` returns only when
#      their healthchecks pass. One host has one web container: expect a few seconds of
#      connection errors while it restarts, unless a proxy in front retries. Kubernetes
#      (deploy/kubernetes) rolls with no gap.
set -eu

image="${1:?usage: deploy.sh IMAGE}"
touch .env
if grep -q '^STAYBOOK_IMAGE=' .env; then
  sed -i "s|^STAYBOOK_IMAGE=.*|STAYBOOK_IMAGE=${image}|" .env
else
  printf 'STAYBOOK_IMAGE=%s\n' "$image" >> .env
fi
export STAYBOOK_IMAGE="$image"

docker compose pull --quiet web
docker compose up --detach --wait db redis broker mailpit
echo "Migrating with $image"
docker compose run --rm --no-deps web manage migrate --noinput
echo "Rolling out $image"
# MIGRATE_ON_START=0: the one-off container above already migrated.
MIGRATE_ON_START=0 docker compose up --detach --no-deps --wait web
docker compose up --detach --no-deps --wait \
  worker worker-payments worker-notifications beat
docker compose ps
echo "Released $image"
