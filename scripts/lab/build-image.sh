#!/bin/bash
# Build (or re-use) the qemu guest that runs rsplib's registrar for `npm run test:interop`.
# Debian packages only: debootstrap (bookworm, minbase), rsplib-registrar, rsplib-tools
# (rspserver, rspterminal, calcappclient, hsdump) and rsplib-services from the Debian archive,
# the Debian kernel package.  The guest's PID 1 is scripts/lab/guest/init.
#
# Artefacts (git-ignored) in scripts/lab/.build/ (override with LAB_BUILD=DIR):
#   rootfs/      debootstrap tree + guest packages   (cached: marker files; .rsh-packages holds
#                the package list, so a changed list installs the difference, no new debootstrap)
#   kernel/      unpacked linux-image-*.deb           (cached)
#   vmlinux      decompressed kernel for PVH direct boot
#   initrd.img   trimmed rootfs as an uncompressed cpio (re-packed when init or tree changed)
#
# Usage: scripts/lab/build-image.sh           FORCE=1 ... rebuilds from scratch
# Concurrent runs on one build dir are serialised (flock on $B/.build.lock).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
B="${LAB_BUILD:-$HERE/.build}"
R="$B/rootfs"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
PKGS="rsplib-registrar rsplib-tools rsplib-services iproute2 procps kmod netbase"
MODS="sctp virtio_pci virtio_net"
start=$(date +%s.%N)
say() { printf '[build-image %5.1fs] %s\n' "$(echo "$(date +%s.%N) - $start" | bc -l)" "$*"; }

[ "$(id -u)" = 0 ] || { echo "build-image.sh: root needed (debootstrap, chroot)" >&2; exit 1; }
mkdir -p "$B"
# One build at a time per build dir (several interop test files may start together).
exec 9>"$B/.build.lock"
flock 9

missing=()
for p in debootstrap qemu-system-x86 qemu-system-data cpio kmod xz-utils bc; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "${FORCE:-0}" = 1 ] && rm -rf "$R" "$B/kernel" "$B/initrd.img" "$B/vmlinux"

if [ ! -e "$R/.rsh-debootstrap" ]; then
  rm -rf "$R"
  say "debootstrap bookworm (minbase)"
  debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$B/debootstrap.log" 2>&1 \
    || { tail -20 "$B/debootstrap.log" >&2; exit 1; }
  touch "$R/.rsh-debootstrap"
fi

# The marker records the package list: a different list (an older image, or PKGS changed) installs
# again into the existing tree, and the newer marker makes the initramfs re-pack below.
if [ ! -e "$R/.rsh-packages" ] || [ "$(cat "$R/.rsh-packages")" != "$PKGS" ]; then
  say "chroot apt-get install $PKGS"
  chroot "$R" /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PKGS && apt-get clean" \
    >"$B/apt.log" 2>&1 || { tail -20 "$B/apt.log" >&2; exit 1; }
  printf '%s' "$PKGS" > "$R/.rsh-packages"
fi

if [ ! -e "$B/kernel/.rsh-done" ]; then
  rm -rf "$B/kernel"; mkdir -p "$B/kernel"
  kpkg=$(chroot "$R" apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  say "kernel package $kpkg"
  chroot "$R" /bin/sh -c "cd /tmp && rm -f linux-image-*.deb && apt-get download $kpkg" >>"$B/apt.log" 2>&1
  dpkg-deb -x "$R"/tmp/linux-image-*.deb "$B/kernel"
  rm -f "$R"/tmp/linux-image-*.deb
  touch "$B/kernel/.rsh-done"
fi
kver=$(ls "$B/kernel/lib/modules" | head -1)
[ -e "$B/kernel/lib/modules/$kver/modules.dep" ] || depmod -b "$B/kernel" "$kver"

if [ ! -s "$B/vmlinux" ]; then
  # PVH direct boot of the uncompressed ELF saves the in-guest xz decompression (slow under TCG).
  off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$B/kernel/boot/vmlinuz-$kver" | head -1 | cut -d: -f1)
  tail -c +$((off + 1)) "$B/kernel/boot/vmlinuz-$kver" | xz -dc --single-stream > "$B/vmlinux.tmp" 2>/dev/null || true
  mv "$B/vmlinux.tmp" "$B/vmlinux"
fi

# Re-pack only when something that goes into the initramfs changed.
if [ -s "$B/initrd.img" ] && [ "$B/initrd.img" -nt "$HERE/guest/init" ] && [ "$B/initrd.img" -nt "$R/.rsh-packages" ] && [ "$B/initrd.img" -nt "$HERE/build-image.sh" ]; then
  say "cached: $B/initrd.img ($(du -h "$B/initrd.img" | cut -f1)), kernel $kver"
  exit 0
fi

say "staging + packing initramfs"
S="$B/stage"
rm -rf "$S"; mkdir -p "$S"
tar -C "$R" --exclude=./usr/share/doc --exclude=./usr/share/man --exclude=./usr/share/info \
  --exclude=./usr/share/locale --exclude=./usr/share/i18n --exclude=./usr/share/zoneinfo \
  --exclude=./var/cache/apt --exclude=./var/lib/apt/lists --exclude=./usr/share/perl5 \
  --exclude='./usr/lib/x86_64-linux-gnu/perl*' --exclude=./usr/lib/x86_64-linux-gnu/gconv \
  --exclude=./usr/share/fonts --exclude=./usr/share/X11 --exclude=./usr/share/mime \
  --exclude='./usr/lib/x86_64-linux-gnu/dri' --exclude='./usr/lib/x86_64-linux-gnu/libLLVM*' \
  --exclude='./usr/lib/x86_64-linux-gnu/libz3*' --exclude='./usr/lib/x86_64-linux-gnu/libQt5*' \
  --exclude=./usr/lib/x86_64-linux-gnu/qt5 --exclude='./usr/lib/x86_64-linux-gnu/libicu*' \
  --exclude=./usr/lib/x86_64-linux-gnu/gallium-pipe --exclude=./usr/share/libwacom \
  --exclude='./.rsh-*' -cf - . | tar -C "$S" -xf -
# The Qt5/ICU/mesa bulk above is only needed by fractalpooluser (rsplib-services, X11 GUI);
# every other rsplib program needs librsplib/libsctp/libstdc++ only.  rootfs/ keeps it all.
md="$S/lib/modules/$kver"; mkdir -p "$md"
cp "$B/kernel/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$md/" 2>/dev/null || true
for m in $MODS; do modprobe -d "$B/kernel" -S "$kver" --show-depends "$m"; done \
  | awk '/^insmod/{print $2}' | sort -u | while read -r f; do
    rel="${f#"$B/kernel"}"; mkdir -p "$S$(dirname "$rel")"; cp "$f" "$S$rel"
  done
depmod -b "$S" "$kver"
install -m 0755 "$HERE/guest/init" "$S/init"
printf '127.0.0.1 localhost\n' > "$S/etc/hosts"
chroot "$R" dpkg-query -W -f='${Package} ${Version}\n' rsplib-registrar rsplib-tools rsplib-services librsplib3 > "$B/versions.txt" 2>/dev/null || true
echo "kernel $kver" >> "$B/versions.txt"
( cd "$S" && find . -print0 | cpio --null -o -H newc --quiet ) > "$B/initrd.img.tmp"
mv "$B/initrd.img.tmp" "$B/initrd.img"
rm -rf "$S"
say "done: initrd $(du -h "$B/initrd.img" | cut -f1), $(tr '\n' ';' < "$B/versions.txt")"
