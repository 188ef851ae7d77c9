#!/usr/bin/env bash
# Builds Egret's OCI image without a Docker daemon, then proves it.
#   1. installs umoci and skopeo with apt when missing (Debian 12)
#   2. builds the distribution (build-dist.sh: jlink runtime + egret.jar + jvm.options)
#   3. makes the distroless-style base (image/make-rootfs.sh: glibc, libgcc, libstdc++, zlib; no shell)
#   4. assembles target/image/oci (an OCI layout, tag egret:<version>) with umoci in three layers
#      (base, Java runtime, Egret), user 65532, the entrypoint `java @jvm.options -jar egret.jar`,
#      OCI labels; exports target/image/egret-<version>.docker.tar (`docker load`, `kind load image-archive`)
#   5. proves it: unpacks the image's root filesystem, mounts it read-only with a tmpfs on /tmp (as a pod
#      with readOnlyRootFilesystem and an emptyDir on /tmp runs it), and inside it, as uid 65532, runs
#      the image's own entrypoint with `--version`, the default configuration (curl through it, then
#      POST /quitquitquit) and `egret demo` (TLS origination with BoringSSL, HTTP/2, DNS)
# The Dockerfile beside this script builds the same image with Docker. Needs root (apt, chroot, mount).
# Options: --skip-dist (reuse target/dist), --skip-jdeps (passed to build-dist.sh).
# Environment: EGRET_IMAGE_SOURCE, EGRET_IMAGE_REVISION (labels; default: git remote and HEAD).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
start=$(date +%s)
skip_dist=0; dist_args=()
for arg in "$@"; do
  case "$arg" in
    --skip-dist) skip_dist=1 ;;
    --skip-jdeps) dist_args+=("$arg") ;;
    *) echo "build-image: unknown argument $arg" >&2; exit 2 ;;
  esac
done
log() { echo "build-image: $*" >&2; }
[ "$(id -u)" = 0 ] || { log "run as root (apt-get, chroot and mount need it)"; exit 1; }

# --- 1. tools -------------------------------------------------------------------------------------
need=()
command -v umoci >/dev/null || need+=(umoci)
command -v skopeo >/dev/null || need+=(skopeo)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
[ -n "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ] || apt-get update -q >/dev/null

# --- 2. distribution ------------------------------------------------------------------------------
dist="$here/target/dist"
if [ "$skip_dist" = 0 ] || [ ! -x "$dist/runtime/bin/java" ]; then "$here/build-dist.sh" "${dist_args[@]}"; fi
version="$("$dist/runtime/bin/java" -jar "$dist/lib/egret.jar" --version | head -1 | awk '{print $2}')"
tag="$version"
source_url="${EGRET_IMAGE_SOURCE:-$(git -C "$root" config --get remote.origin.url 2>/dev/null || echo unknown)}"
revision="${EGRET_IMAGE_REVISION:-$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)}"

# --- 3. base root filesystem ----------------------------------------------------------------------
work="$here/target/image"
rm -rf "$work"
mkdir -p "$work/layers/runtime/opt/egret" "$work/layers/app/opt/egret/lib" "$work/layers/app/opt/egret/conf"
"$here/image/make-rootfs.sh" "$work/layers/base" >/dev/null
cp -a "$dist/runtime" "$work/layers/runtime/opt/egret/runtime"
cp "$dist/lib/egret.jar" "$work/layers/app/opt/egret/lib/egret.jar"
cp "$dist/conf/jvm.options" "$work/layers/app/opt/egret/conf/jvm.options"
chown -R 0:0 "$work/layers/runtime" "$work/layers/app"
chmod -R a+rX,go-w "$work/layers/runtime" "$work/layers/app"

# --- 4. OCI image ---------------------------------------------------------------------------------
oci="$work/oci"
ref="$oci:$tag"
umoci init --layout "$oci"
umoci new --image "$ref"
umoci insert --image "$ref" --history.created_by "image/make-rootfs.sh (Debian 12: $(grep -v '^#' "$here/image/packages.txt" | paste -sd' ' -))" "$work/layers/base" /
umoci insert --image "$ref" --history.created_by "build-dist.sh: jlink runtime" "$work/layers/runtime" /
umoci insert --image "$ref" --history.created_by "egret.jar and jvm.options" "$work/layers/app" /
# Keep in step with the Dockerfile (ImageConsistencyTest checks the user, entrypoint, env, ports, labels).
umoci config --image "$ref" \
  --os linux --architecture amd64 \
  --config.user 65532:65532 \
  --config.workingdir /home/nonroot \
  --config.env LANG=C.UTF-8 \
  --config.env HOME=/home/nonroot \
  --config.entrypoint /opt/egret/runtime/bin/java \
  --config.entrypoint @/opt/egret/conf/jvm.options \
  --config.entrypoint -jar \
  --config.entrypoint /opt/egret/lib/egret.jar \
  --config.exposedports 15008/tcp \
  --config.exposedports 15021/tcp \
  --config.exposedports 15020/tcp \
  --config.label "org.opencontainers.image.title=egret" \
  --config.label "org.opencontainers.image.description=Egret: a Java (Netty) egress gateway and Istio ambient waypoint proxy programmed with Envoy v3 xDS" \
  --config.label "org.opencontainers.image.version=$version" \
  --config.label "org.opencontainers.image.source=$source_url" \
  --config.label "org.opencontainers.image.revision=$revision" \
  --config.label "org.opencontainers.image.base.name=scratch + Debian 12 packages (image/packages.txt)" \
  --manifest.annotation "org.opencontainers.image.version=$version" \
  --manifest.annotation "org.opencontainers.image.source=$source_url" \
  --manifest.annotation "org.opencontainers.image.revision=$revision"
umoci gc --layout "$oci"
skopeo --insecure-policy copy -q "oci:$ref" "docker-archive:$work/egret-$tag.docker.tar:egret:$tag"
log "image $ref: $(du -sh "$oci" | cut -f1) (docker archive: $work/egret-$tag.docker.tar)"

# --- 5. proof -------------------------------------------------------------------------------------
bundle="$work/bundle"
umoci unpack --image "$ref" "$bundle" >/dev/null
rootfs="$bundle/rootfs"
for shell in bin/sh bin/bash usr/bin/sh usr/bin/bash bin/busybox; do
  [ ! -e "$rootfs/$shell" ] || { log "FAIL: the image has a shell ($shell)"; exit 1; }
done
# The process as the image's config says: user and arguments come from the unpacked runtime spec.
read -r uid gid < <(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["process"]; print(p["user"]["uid"], p["user"]["gid"])' "$bundle/config.json")
mapfile -t entry < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["process"]["args"]))' "$bundle/config.json")
[ "$uid" = 65532 ] && [ "$gid" = 65532 ] || { log "FAIL: image user is $uid:$gid, not 65532:65532"; exit 1; }
mnt="$work/mnt"
mkdir -p "$mnt"
mounted=()
cleanup() {
  [ -z "${egret_pid:-}" ] || kill "$egret_pid" 2>/dev/null || true
  for ((i=${#mounted[@]}-1; i>=0; i--)); do umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" || true; done
}
trap cleanup EXIT
mkdir -p "$rootfs/proc" "$rootfs/dev"   # mount points a container runtime would create
touch "$rootfs/etc/resolv.conf"
mount --bind "$rootfs" "$mnt"; mounted+=("$mnt")
mount -o remount,bind,ro "$mnt"
mount -t proc proc "$mnt/proc"; mounted+=("$mnt/proc")
mount --bind /dev "$mnt/dev"; mounted+=("$mnt/dev")
mount -t tmpfs -o size=64m,mode=1777 tmpfs "$mnt/tmp"; mounted+=("$mnt/tmp")
mount --bind /etc/resolv.conf "$mnt/etc/resolv.conf"; mounted+=("$mnt/etc/resolv.conf")
if touch "$mnt/opt/egret/probe" 2>/dev/null; then log "FAIL: root filesystem is writable"; exit 1; fi
chroot_bin="$(command -v chroot)"
in_image() { env -i LANG=C.UTF-8 HOME=/home/nonroot "$chroot_bin" --userspec="$uid:$gid" "$mnt" "${entry[@]}" "$@"; }

out="$(in_image --version 2>&1)"; log "in the image: $out"
grep -q "^egret $version " <<<"$out" || { log "FAIL: --version printed: $out"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
busy() { python3 -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1",int(sys.argv[1])))!=0)' "$1"; }
listen=10000; admin=9901; args=()
if busy $listen || busy $admin; then   # someone else uses the default ports: same config, other ports
  listen="$(free_port)"; admin="$(free_port)"
  sed -e "s/port_value: 10000/port_value: $listen/" -e "s/port_value: 9901/port_value: $admin/" \
    "$root/proxy-core/src/main/resources/dev/egret/core/default-config.yaml" > "$mnt/tmp/default-config.yaml"
  args=(-c /tmp/default-config.yaml)
  log "ports 10000/9901 are taken here: the default configuration runs on $listen/$admin"
fi
in_image "${args[@]}" > "$work/smoke.log" 2>&1 & egret_pid=$!
deadline=$(( $(date +%s) + 60 ))
until curl -fsS -o /dev/null "http://127.0.0.1:$admin/ready" 2>/dev/null; do
  kill -0 "$egret_pid" 2>/dev/null || { cat "$work/smoke.log" >&2; log "FAIL: egret exited"; exit 1; }
  [ "$(date +%s)" -lt "$deadline" ] || { cat "$work/smoke.log" >&2; log "FAIL: not ready in 60 s"; exit 1; }
  sleep 0.2
done
status="$(curl -sS -o "$work/smoke.body" -w '%{http_code}' -H 'Host: admin.egret.local' "http://127.0.0.1:$listen/ready")"
[ "$status" = 200 ] || { log "FAIL: GET /ready through egret answered $status"; exit 1; }
nr="$(curl -sS -o /dev/null -w '%{http_code}' -H 'Host: nowhere.example' "http://127.0.0.1:$listen/")"
[ "$nr" = 404 ] || { log "FAIL: unknown host answered $nr, not 404"; exit 1; }
curl -fsS -X POST "http://127.0.0.1:$admin/quitquitquit" >/dev/null
deadline=$(( $(date +%s) + 30 ))
while kill -0 "$egret_pid" 2>/dev/null; do
  [ "$(date +%s)" -lt "$deadline" ] || { log "FAIL: egret did not stop after /quitquitquit"; exit 1; }
  sleep 0.2
done
wait "$egret_pid" || true; egret_pid=""
grep -q '"GET /ready HTTP/1.1" 200' "$work/smoke.log" || { cat "$work/smoke.log" >&2; log "FAIL: no access-log line for the request"; exit 1; }
log "in the image: the default configuration proxied GET /ready (200) and an unknown host (404 NR), then stopped"

timeout 120 env -i LANG=C.UTF-8 HOME=/home/nonroot "$chroot_bin" --userspec="$uid:$gid" "$mnt" "${entry[@]}" demo > "$work/demo.log" 2>&1 \
  || { cat "$work/demo.log" >&2; log "FAIL: egret demo in the image"; exit 1; }
log "in the image: egret demo passed ($(grep -c . "$work/demo.log") lines in target/image/demo.log)"
log "done in $(( $(date +%s) - start )) s: $ref"
