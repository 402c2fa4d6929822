#!/usr/bin/env bash
# Puts a Linux kernel for the qemu backend where ContainerTest looks for one by default:
#   <cache>/kernels/<version>/boot/vmlinuz-<version> and <cache>/kernels/<version>/lib/modules/<version>/
# (<cache>: $CONTAINERTEST_CACHE, else $XDG_CACHE_HOME/containertest, else ~/.cache/containertest),
# taken from Debian's linux-image-<version>-amd64 package with `apt-get download`: nothing is
# installed, /boot and /lib/modules are not touched, no initramfs is made, and apt checks the
# package against the archive's signature. Only the drivers a ContainerTest VM loads are kept
# (virtio, 9p, overlay, ext4 and their dependencies), about 10 MB beside the 8 MB kernel.
#
# Usage: nuget/native/kernel.sh [linux-image-package]   (default: what linux-image-amd64 depends on)
# Needs apt's package lists (run `apt-get update` as root once on a fresh machine).
set -euo pipefail

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'kernel.sh: %s\n' "$*" >&2; exit 1; }

command -v apt-get >/dev/null || die "this is not a Debian/Ubuntu machine: get a kernel with virtio and 9p drivers some other way and set ContainerTestKernel (see the README)."
cache="${CONTAINERTEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/containertest}"
package="${1:-}"
if [ -z "$package" ]; then
  package="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')"
  [ -n "$package" ] || die "apt knows no linux-image-amd64: run apt-get update (as root) first, or name the package."
fi
version="${package#linux-image-}"
version="${version%-unsigned}"
dest="$cache/kernels/$version"
if [ -f "$dest/boot/vmlinuz-$version" ] && [ -d "$dest/lib/modules/$version" ]; then
  echo "$dest/boot/vmlinuz-$version"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
say "downloading $package"
(cd "$work" && apt-get download "$package" >"$work/download.log" 2>&1) || { cat "$work/download.log" >&2; die "apt-get download $package failed"; }
deb="$(ls "$work"/*.deb)"
mkdir -p "$work/root"
modules="./lib/modules/$version"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/root" --wildcards \
  "./boot/vmlinuz-$version" "./boot/config-$version" \
  "$modules/modules.builtin" "$modules/modules.order" \
  "$modules/kernel/drivers/virtio/*" "$modules/kernel/drivers/char/virtio_console.ko" \
  "$modules/kernel/drivers/block/virtio_blk.ko" "$modules/kernel/drivers/net/virtio_net.ko" \
  "$modules/kernel/drivers/net/net_failover.ko" "$modules/kernel/net/core/failover.ko" \
  "$modules/kernel/net/9p/*" "$modules/kernel/fs/9p/*" "$modules/kernel/fs/netfs/*" "$modules/kernel/fs/fscache/*" \
  "$modules/kernel/fs/overlayfs/*" "$modules/kernel/fs/ext4/*" "$modules/kernel/fs/jbd2/*" "$modules/kernel/fs/mbcache.ko" \
  "$modules/kernel/fs/fuse/*" "$modules/kernel/lib/crc16.ko" "$modules/kernel/crypto/crc32c_generic.ko" \
  2>"$work/tar.log" || true
[ -f "$work/root/boot/vmlinuz-$version" ] || { cat "$work/tar.log" >&2; die "$package holds no boot/vmlinuz-$version"; }
mkdir -p "$cache/kernels"
rm -rf "$dest.partial"
mv "$work/root" "$dest.partial"
mv "$dest.partial" "$dest"
say "kernel $version in $dest"
echo "$dest/boot/vmlinuz-$version"
