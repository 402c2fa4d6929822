#!/usr/bin/env bash
# Builds the static helpers ContainerTest carries:
#   bwrap    bubblewrap, which makes each test's sandbox inside a worker container (LGPL-2.0-or-later),
#            from Debian's own source package
#   toybox   the tools of `dotnet containertest shell` (0BSD), from Debian's own source package
#   containertest-vminit, containertest-vmlaunch
#            PID 1 of every virtual machine of the qemu backend, and the launcher that ties each QEMU
#            process to the test host's life; our own C (nuget/native/vm/), compiled here
# into artifacts/native/linux-x64/, with the versions and the sources they came from beside them.
#
# Why from source: the helpers must run in any image, also one with another libc or none, so they
# are linked statically; Debian ships bubblewrap and toybox only dynamically linked. Why trixie's
# bubblewrap 0.12: bookworm's 0.8 has no overlay mounts (--overlay-src/--tmp-overlay, new in 0.9),
# and the test's output folder reaches each sandbox as a copy-on-write overlay.
#
# The sources come through apt (deb-src lines of the same archive are added when missing): apt
# checks the archive's signature, and this script checks every file against the SHA-256 the signed
# index gives. Nothing is downloaded from anywhere else, and nothing built is ever committed.
#
# Usage: nuget/native/build.sh [output-dir]      (needs root on a fresh machine, for apt)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/artifacts/native/linux-x64}"
WORK="$ROOT/artifacts/native/work"
SUITE="trixie"
BUBBLEWRAP_VERSION="0.12.0-1~deb13u1"
TOYBOX_VERSION="0.8.9+dfsg-1.1"
BUILD_PACKAGES=(gcc make libc6-dev libcap-dev meson ninja-build pkg-config patch xz-utils file)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'native/build.sh: %s\n' "$*" >&2; exit 1; }

[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] || die "the helpers are built on linux-x64 only (this is $(uname -s)-$(uname -m))."

# (awk reads all of ldd's output: with `head -n 1` ldd may die of SIGPIPE, which pipefail makes fatal.)
glibc="$(ldd --version 2>&1 | awk 'NR == 1 { print $NF }')"

# The VM helpers: small, our own, rebuilt whenever their source changes (no download, no apt).
build_vm_helpers() {
  local name source vm_stamp
  for name in vminit vmlaunch; do
    source="$ROOT/nuget/native/vm/${name#vm}.c"
    vm_stamp="$(sha256sum "$source" | cut -c1-16) static, glibc $glibc"
    if [ -x "$OUT/containertest-$name" ] && [ "$(cat "$OUT/containertest-$name.version" 2>/dev/null)" = "$vm_stamp" ]; then
      continue
    fi
    command -v gcc >/dev/null || die "gcc is needed to build containertest-$name: apt-get install gcc libc6-dev"
    mkdir -p "$OUT"
    gcc -static -Os -Wall -Wextra -Werror -o "$OUT/containertest-$name" "$source" || die "building containertest-$name failed"
    strip "$OUT/containertest-$name"
    echo "$vm_stamp" >"$OUT/containertest-$name.version"
    say "$OUT/containertest-$name: $vm_stamp"
  done
}
build_vm_helpers

bwrap_stamp="bubblewrap $BUBBLEWRAP_VERSION (Debian $SUITE), static, glibc $glibc"
toybox_stamp="toybox $TOYBOX_VERSION (Debian $SUITE), static, glibc $glibc"
built() { [ -x "$OUT/$1" ] && [ "$(cat "$OUT/$1.version" 2>/dev/null)" = "$2" ]; }
if built bwrap "$bwrap_stamp" && built toybox "$toybox_stamp"; then
  exit 0
fi

apt_ready() {
  local missing=() package
  for package in "${BUILD_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if ! apt-cache showsrc bubblewrap 2>/dev/null | grep -qx "Version: $BUBBLEWRAP_VERSION" \
     || ! apt-cache showsrc toybox 2>/dev/null | grep -qx "Version: $TOYBOX_VERSION"; then
    missing+=("deb-src:$SUITE")
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}; run as root once (it installs ${BUILD_PACKAGES[*]} and adds Debian's $SUITE source lines), or put static builds at $OUT/bwrap and $OUT/toybox."
  command -v apt-get >/dev/null || die "this is not a Debian/Ubuntu machine: put static builds at $OUT/bwrap and $OUT/toybox."
  local sources=/etc/apt/sources.list.d/containertest-sources.sources
  if [ ! -f "$sources" ]; then
    say "adding Debian's $SUITE source lines ($sources)"
    cat >"$sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  say "apt-get update"
  apt-get update -qq >"$WORK/apt-update.log" 2>&1 || die "apt-get update failed; see $WORK/apt-update.log"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${BUILD_PACKAGES[@]}" >"$WORK/apt-install.log" 2>&1 \
    || die "installing ${BUILD_PACKAGES[*]} failed; see $WORK/apt-install.log"
}

# fetch_source PACKAGE VERSION DIR REQUIRED…: downloads the source package's files with apt and
# checks each that came against the SHA-256 of Debian's signed index; the files whose names end
# with one of REQUIRED must have come.
fetch_source() {
  local package=$1 version=$2 dir=$3
  shift 3
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && apt-get source --download-only "$package=$version" >"$dir/apt-source.log" 2>&1) || true
  local sha size name suffix
  while read -r sha size name; do
    if [ -f "$dir/$name" ]; then
      echo "$sha  $dir/$name" | sha256sum --check --quiet - || die "$name does not match the SHA-256 of Debian's signed index"
    fi
  done < <(apt-cache showsrc "$package" | awk -v v="$version" '
      /^Version:/ { take = ($2 == v) }
      /^Checksums-Sha256:/ { inside = take; next }
      /^[^ ]/ { inside = 0 }
      inside && NF == 3 { print }')
  for suffix in "$@"; do
    compgen -G "$dir/*$suffix" >/dev/null || die "apt did not fetch the $suffix of $package $version; see $dir/apt-source.log"
  done
}

# apply_debian_patches SOURCE-DIR TREE: Debian's own patches, in the order of its series.
apply_debian_patches() {
  local src=$1 tree=$2 patch
  [ -f "$src/debian/patches/series" ] || return 0
  while read -r patch; do
    case "$patch" in ''|'#'*) continue ;; esac
    patch -d "$tree" -p1 --quiet <"$src/debian/patches/$patch"
  done <"$src/debian/patches/series"
}

mkdir -p "$WORK" "$OUT"
apt_ready

if ! built bwrap "$bwrap_stamp"; then
  say "building bubblewrap $BUBBLEWRAP_VERSION statically"
  src="$WORK/bubblewrap"
  fetch_source bubblewrap "$BUBBLEWRAP_VERSION" "$src" .orig.tar.xz .debian.tar.xz
  tar -xf "$src"/bubblewrap_*.orig.tar.xz -C "$src"
  tar -xf "$src"/bubblewrap_*.debian.tar.xz -C "$src"
  tree="$(find "$src" -maxdepth 1 -type d -name 'bubblewrap-*' | head -n 1)"
  apply_debian_patches "$src" "$tree"
  (
    cd "$tree"
    LDFLAGS="-static" meson setup build --buildtype=release --prefer-static --default-library=static \
      -Dselinux=disabled -Dman=disabled -Dbash_completion=disabled -Dzsh_completion=disabled -Dtests=false
    ninja -C build bwrap
  ) >"$WORK/bubblewrap-build.log" 2>&1 || die "building bubblewrap failed; see $WORK/bubblewrap-build.log"
  file "$tree/build/bwrap" | grep -q 'statically linked' || die "bwrap came out dynamically linked; see $WORK/bubblewrap-build.log"
  install -m 0755 "$tree/build/bwrap" "$OUT/bwrap"
  strip "$OUT/bwrap"
  cp "$tree/COPYING" "$OUT/bwrap.COPYING"
  echo "$bwrap_stamp" >"$OUT/bwrap.version"
  say "$OUT/bwrap: $bwrap_stamp"
fi

if ! built toybox "$toybox_stamp"; then
  say "building toybox $TOYBOX_VERSION statically"
  src="$WORK/toybox"
  # The mirror serves toybox's source tarball but not always its Debian packaging (whose patches,
  # when it comes, are applied): the tarball is what Debian builds from, checked as above.
  fetch_source toybox "$TOYBOX_VERSION" "$src" .orig.tar.xz
  tar -xf "$src"/toybox_*.orig.tar.xz -C "$src"
  if compgen -G "$src/*.debian.tar.xz" >/dev/null; then
    tar -xf "$src"/toybox_*.debian.tar.xz -C "$src"
  fi
  tree="$(find "$src" -maxdepth 1 -type d -name 'toybox-*' | head -n 1)"
  apply_debian_patches "$src" "$tree"
  (
    cd "$tree"
    make defconfig
    LDFLAGS="--static" make -j"$(nproc)" toybox
  ) >"$WORK/toybox-build.log" 2>&1 || die "building toybox failed; see $WORK/toybox-build.log"
  file "$tree/toybox" | grep -q 'statically linked' || die "toybox came out dynamically linked; see $WORK/toybox-build.log"
  install -m 0755 "$tree/toybox" "$OUT/toybox"
  cp "$tree/LICENSE" "$OUT/toybox.LICENSE"
  echo "$toybox_stamp" >"$OUT/toybox.version"
  say "$OUT/toybox: $toybox_stamp"
fi
