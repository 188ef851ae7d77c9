#!/bin/sh
# Makes the base root filesystem of the Egret image in DIR, distroless-style: the files of the Debian
# packages in packages.txt (fetched with `apt-get download`, unpacked with `dpkg-deb -x`, no maintainer
# scripts run), minus documentation and every executable directory, plus etc/ (users root, nonroot
# 65532, nobody; nsswitch; hosts), an empty /tmp and a dpkg status.d record per package so image
# scanners can see what is inside. Used by build-image.sh and by the Dockerfile, so both images get the
# same base. Needs apt-get (with package lists) and dpkg-deb; runs as root or not.
# Usage: make-rootfs.sh DIR
set -eu
[ $# -eq 1 ] || { echo "usage: make-rootfs.sh DIR" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
rootfs="$1"
mkdir -p "$rootfs"
rootfs="$(cd "$rootfs" && pwd)"
debs="$(mktemp -d)"
chmod 0755 "$debs"
trap 'rm -rf "$debs"' EXIT
# shellcheck disable=SC2046
(cd "$debs" && apt-get -q -o APT::Sandbox::User=root download $(grep -v '^#' "$here/packages.txt"))
mkdir -p "$rootfs/var/lib/dpkg/status.d"
for deb in "$debs"/*.deb; do
  dpkg-deb -x "$deb" "$rootfs"
  name="$(dpkg-deb -f "$deb" Package)"
  dpkg-deb -f "$deb" > "$rootfs/var/lib/dpkg/status.d/$name"
done
# Keep licences (usr/share/doc/*/copyright), drop the rest of the docs and anything executable.
find "$rootfs/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
rm -rf "$rootfs/usr/share/man" "$rootfs/usr/share/info" "$rootfs/usr/share/lintian" "$rootfs/usr/share/locale" \
  "$rootfs/usr/share/gcc" "$rootfs/usr/share/gdb" "$rootfs/usr/lib/x86_64-linux-gnu/gconv" \
  "$rootfs/bin" "$rootfs/sbin" "$rootfs/usr/bin" "$rootfs/usr/sbin" "$rootfs/usr/libexec" "$rootfs/etc/ld.so.conf.d"
find "$rootfs" -depth -type d -empty -delete
mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/home/nonroot" "$rootfs/opt/egret"
cp "$here/etc/passwd" "$here/etc/group" "$here/etc/nsswitch.conf" "$here/etc/hosts" "$rootfs/etc/"
chmod 1777 "$rootfs/tmp"
chown 65532:65532 "$rootfs/home/nonroot" 2>/dev/null || true
