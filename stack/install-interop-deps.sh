#!/usr/bin/env bash
# Installs what the interop module (DICOM decoding) needs and Maven Central does not serve. Idempotent: safe to
# run before every build; it does nothing that is already done.
#  1. Debian packages: libpixelmed-java + libpixelmed-imageio-java (PixelMed DICOM toolkit, BSD-3-Clause, pure Java),
#     dcmtk and libgdcm-tools (only used by the tests to make DICOM fixtures).
#  2. The PixelMed jars into the local Maven repository (mvn install:install-file), as
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
for pkg in libpixelmed-java libpixelmed-imageio-java dcmtk libgdcm-tools; do
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

install_jar() { # artifactId version jar
  local artifact="$1" version="$2" jar="$3"
  local target="$repo_dir/com/pixelmed/$artifact/$version/$artifact-$version.jar"
  if [[ ! -f "$jar" ]]; then
    log "ERROR: $jar not found. Debian ships another version than $version: update the version here and in interop/pom.xml."
    exit 1
  fi
  rm -f "$(dirname "$target")"/*.lastUpdated  # a build that ran before this script left failure markers
  if [[ -f "$target" ]] && cmp -s "$jar" "$target"; then
    return 0
  fi
  log "installing $jar as com.pixelmed:$artifact:$version"
  "${mvn_cmd[@]}" -q -B "${repo_opt[@]}" org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file \
    -Dfile="$jar" -DgroupId=com.pixelmed -DartifactId="$artifact" -Dversion="$version" \
    -Dpackaging=jar -DgeneratePom=true
}
install_jar pixelmed "$PIXELMED_VERSION" "/usr/share/java/pixelmed-$PIXELMED_VERSION.jar"
install_jar pixelmed-imageio "$PIXELMED_IMAGEIO_VERSION" "/usr/share/java/pixelmed_imageio-$PIXELMED_IMAGEIO_VERSION.jar"
log "ok"
