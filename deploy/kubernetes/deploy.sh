#!/bin/sh
# Roll a release out to Kubernetes: `sh deploy/kubernetes/deploy.sh IMAGE`
# (IMAGE: ghcr.io/<owner>/staybook@sha256:...; kubectl's context and KUBECONFIG as usual).
#   1. the ConfigMap, then the migration Job, once; nothing rolls unless it succeeds;
#   2. web, the workers and beat get the new image: web rolls with no loss of capacity
#      (maxUnavailable 0, readiness on /ready), workers finish their running task first.
# The Secret staybook-secrets exists already (config.yaml says how to create it).
set -eu

image="${1:?usage: deploy.sh IMAGE}"
here="$(cd "$(dirname "$0")" && pwd)"
namespace="${KUBE_NAMESPACE:-staybook}"
timeout="${ROLLOUT_TIMEOUT:-600}"

# The manifests name the image "staybook:release"; every release replaces it.
render() {
  sed "s|image: staybook:release|image: ${image}|" "$@"
}

kubectl apply -f "$here/namespace.yaml"
kubectl apply -f "$here/config.yaml"

echo "Migrating with $image"
kubectl --namespace "$namespace" delete job staybook-migrate --ignore-not-found --wait=true
render "$here/migrate-job.yaml" | kubectl apply -f -
# `kubectl wait` cannot wait for "complete or failed": poll both, with a deadline.
deadline=$(( $(date +%s) + timeout ))
while :; do
  state="$(kubectl --namespace "$namespace" get job staybook-migrate \
    -o 'jsonpath={.status.succeeded}/{.status.failed}')"
  case "$state" in
    1/*) break ;;
    */[1-9]*)
      kubectl --namespace "$namespace" logs job/staybook-migrate --tail=100 || true
      echo "The migration failed: nothing was rolled out." >&2
      exit 1
      ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "The migration did not finish within ${timeout}s." >&2
    exit 1
  fi
  sleep 5
done

echo "Rolling out $image"
for manifest in web workers beat; do
  render "$here/$manifest.yaml" | kubectl apply -f -
done
for deployment in web worker-default worker-payments worker-notifications beat; do
  kubectl --namespace "$namespace" rollout status "deployment/staybook-$deployment" \
    --timeout "${timeout}s"
done
echo "Released $image"
