#!/usr/bin/env bash
# Builds the Egret distribution in container/target/dist:
#   runtime/          a jlink Java runtime holding only the modules of dist/modules.txt
#   lib/egret.jar     the shaded jar (built with `mvn package` when missing or older than the sources)
#   conf/jvm.options  the JVM options (see container/README.md)
#   bin/egret         the launcher
# Not part of `mvn verify` (jlink takes a while). Options:
#   --skip-jdeps   do not re-check dist/modules.txt against `jdeps --print-module-deps` (saves ~1 min)
# Environment: JAVA_HOME (a JDK with jmods; default: the one `jlink` on PATH belongs to).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
skip_jdeps=0
for arg in "$@"; do
  case "$arg" in
    --skip-jdeps) skip_jdeps=1 ;;
    *) echo "build-dist: unknown argument $arg" >&2; exit 2 ;;
  esac
done
start=$(date +%s)

if [ -n "${JAVA_HOME:-}" ]; then jdk="$JAVA_HOME"; else jdk="$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")"; fi
[ -x "$jdk/bin/jlink" ] || { echo "build-dist: no jlink in $jdk (set JAVA_HOME to a JDK)" >&2; exit 1; }
[ -d "$jdk/jmods" ] || { echo "build-dist: $jdk has no jmods/ (install the full JDK, e.g. openjdk-17-jdk-headless)" >&2; exit 1; }

jar="$here/target/egret.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" -path '*/src/main/*' -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
  echo "build-dist: building $jar" >&2
  (cd "$root" && mvn -B -q -DskipTests package -pl container -am)
fi

modules="$(grep -v '^#' "$here/dist/modules.txt" | grep -v '^[[:space:]]*$' | paste -sd, -)"
if [ "$skip_jdeps" = 0 ]; then
  echo "build-dist: checking dist/modules.txt with jdeps" >&2
  needed="$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 "$jar")"
  missing=""
  for m in ${needed//,/ }; do
    case ",$modules," in *",$m,"*) ;; *) missing="$missing $m" ;; esac
  done
  [ -z "$missing" ] || { echo "build-dist: egret.jar needs modules missing from container/dist/modules.txt:$missing" >&2; exit 1; }
fi

dist="$here/target/dist"
rm -rf "$dist"
mkdir -p "$dist/bin" "$dist/lib" "$dist/conf"
echo "build-dist: jlink --add-modules $modules" >&2
"$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=2 --generate-cds-archive \
  --output "$dist/runtime"
# Debian's JDK keeps the CA bundle outside the JDK (a symlink into /etc); the runtime gets a real copy so
# it works without /etc/ssl (in the image, the JDK's trust store is the only one Egret's TLS uses).
cacerts="$dist/runtime/lib/security/cacerts"
if [ -L "$cacerts" ] || [ ! -s "$cacerts" ]; then
  src="$(readlink -f "$jdk/lib/security/cacerts")"
  rm -f "$cacerts"
  cp "$src" "$cacerts"
fi
# The runtime's links (legal notices) are relative and stay inside it; a dangling one would break COPY.
if [ -n "$(find "$dist/runtime" -xtype l -print -quit)" ]; then
  echo "build-dist: dangling links in the runtime: $(find "$dist/runtime" -xtype l)" >&2; exit 1
fi
cp "$jar" "$dist/lib/egret.jar"
cp "$here/dist/jvm.options" "$dist/conf/jvm.options"
cp "$here/dist/egret" "$dist/bin/egret"
chmod 0755 "$dist/bin/egret"

version="$("$dist/bin/egret" --version)"
echo "build-dist: $dist ($(du -sh "$dist" | cut -f1), runtime $(du -sh "$dist/runtime" | cut -f1)) runs: $version; took $(( $(date +%s) - start )) s" >&2
