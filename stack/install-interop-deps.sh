#!/usr/bin/env bash
# Installs what the interop module (DICOM decoding) needs and Maven Central does not serve. Idempotent: safe to
# run before every build; it does nothing that is already done.
#  1. Debian packages: libpixelmed-java + libpixelmed-imageio-java (PixelMed DICOM toolkit, BSD-3-Clause, pure Java),
#     dcmtk and libgdcm-tools (only used by the tests to make DICOM fixtures), dicom3tools (dciodvfy: the tests check
#     the SR and Secondary Capture result objects against their IODs with it), fonts-dejavu-core (Java2D needs a
#     font to burn the legend into the Secondary Capture; a headless JDK brings none), openssl (the TLS tests make
#     their throw-away CA with it; dcmtk's +tls needs the PEM keys it writes).
#  2. The PixelMed jars into the local Maven repository (mvn install:install-file, with the Debian-specific manifest
#     Class-Path removed), as
#       com.pixelmed:pixelmed:<upstream version>         from /usr/share/java/pixelmed-<version>.jar
#       com.pixelmed:pixelmed-imageio:<upstream version> from /usr/share/java/pixelmed_imageio-<version>.jar
#     The versions must match interop/pom.xml (pixelmed.version, pixelmed-imageio.version); see
#     docs/adr/0002-dicom-library.md.
# Environment: MVN (default: ./mvnw of the repository, else mvn), MAVEN_REPO_LOCAL (default: Maven's own default).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

PIXELMED_VERSION=20220618
PIXELMED_IMAGEIO_VERSION=20200328

log() { echo "[install-interop-deps] $*" >&2; }

# --- 1. Debian packages -------------------------------------------------------------------------------------------
missing=()
for pkg in libpixelmed-java libpixelmed-imageio-java dcmtk libgdcm-tools dicom3tools fonts-dejavu-core openssl; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$pkg"); fi
done
if (( ${#missing[@]} )); then
  log "installing Debian packages: ${missing[*]}"
  sudo=""
  if (( EUID != 0 )); then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}"; then
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

# --- 2. PixelMed jars into the local Maven repository ------------------------------------------------------------
if [[ -n "${MVN:-}" ]]; then
  mvn_cmd=($MVN)
elif [[ -x "$root/mvnw" ]]; then
  mvn_cmd=("$root/mvnw")
else
  mvn_cmd=(mvn)
fi
repo_opt=()
if [[ -n "${MAVEN_REPO_LOCAL:-}" ]]; then repo_opt=("-Dmaven.repo.local=$MAVEN_REPO_LOCAL"); fi
repo_dir="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"

# Debian's jars name their Debian dependencies in the manifest (Class-Path: /usr/share/java/slf4j-api.jar ...): on a
# Maven class path that drags Debian's SLF4J 1.7 in ahead of the project's SLF4J 2 and breaks other libraries
# (NoSuchMethodError Logger.atDebug). The copy installed into the local repository has the Class-Path entry removed.
jar_cmd=jar
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/jar" ]]; then jar_cmd="$JAVA_HOME/bin/jar"; fi

strip_class_path() { # in.jar out.jar
  local in="$1" out="$2" work
  work="$(mktemp -d)"
  (cd "$work" && mkdir classes && cd classes && "$jar_cmd" xf "$in")
  # drop the Class-Path header and its continuation lines (which start with a space)
  awk 'BEGIN{skip=0} /^Class-Path:/{skip=1; next} skip && /^ /{next} {skip=0; print}' \
    "$work/classes/META-INF/MANIFEST.MF" | tr -d '\r' | grep -v '^$' > "$work/manifest.txt" || true
  rm -f "$work/classes/META-INF/MANIFEST.MF"
  "$jar_cmd" --create --file "$out" --manifest "$work/manifest.txt" -C "$work/classes" .
  rm -rf "$work"
}

install_jar() { # artifactId version jar
  local artifact="$1" version="$2" jar="$3"
  local target="$repo_dir/com/pixelmed/$artifact/$version/$artifact-$version.jar"
  if [[ ! -f "$jar" ]]; then
    log "ERROR: $jar not found. Debian ships another version than $version: update the version here and in interop/pom.xml."
    exit 1
  fi
  rm -f "$(dirname "$target")"/*.lastUpdated  # a build that ran before this script left failure markers
  local sum
  sum="$(sha256sum "$jar" | cut -d' ' -f1)"
  if [[ -f "$target" && -f "$target.debian-sha256" && "$(cat "$target.debian-sha256")" == "$sum" ]]; then
    return 0
  fi
  log "installing $jar (manifest Class-Path removed) as com.pixelmed:$artifact:$version"
  local tmp
  tmp="$(mktemp -d)"
  strip_class_path "$jar" "$tmp/$artifact-$version.jar"
  "${mvn_cmd[@]}" -q -B "${repo_opt[@]}" org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file \
    -Dfile="$tmp/$artifact-$version.jar" -DgroupId=com.pixelmed -DartifactId="$artifact" -Dversion="$version" \
    -Dpackaging=jar -DgeneratePom=true
  rm -rf "$tmp"
  echo "$sum" > "$target.debian-sha256"
}
install_jar pixelmed "$PIXELMED_VERSION" "/usr/share/java/pixelmed-$PIXELMED_VERSION.jar"
install_jar pixelmed-imageio "$PIXELMED_IMAGEIO_VERSION" "/usr/share/java/pixelmed_imageio-$PIXELMED_IMAGEIO_VERSION.jar"
log "ok"
