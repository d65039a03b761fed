#!/bin/bash
# Boot the interop guest (scripts/lab/build-image.sh) under qemu/TCG inside network namespace
# $LAB_NETNS (default rshlab, loopback only) with slirp user networking:
#   guest 10.0.2.15, sees the namespace as 10.0.2.2; namespace UDP 127.0.0.1:$LAB_HOSTPORT
#   (default 9900) is forwarded to the guest's SCTP-over-UDP port 9899.
# Waits for RSH-READY (registrar listening on SCTP 3863) and prints the boot time.
# Idempotent: exits 0 at once when the instance is already running.
# Env: LAB_BUILD, LAB_NETNS, LAB_HOSTPORT, LAB_NAME (default rsh), LAB_BOOT_TIMEOUT (s, 120),
#      LAB_ACCEL (tcg), LAB_APPEND (extra kernel command line, read by guest/init:
#      rsh.mode=clients boots without a registrar, RSH-READY once the network is up;
#      rsh.regargs=... adds rspregistrar options in the default registrar mode)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
B="${LAB_BUILD:-$HERE/.build}"
NS="${LAB_NETNS:-rshlab}" HP="${LAB_HOSTPORT:-9900}" NAME="${LAB_NAME:-rsh}"
PIDF="$B/$NAME.pid" CON="$B/$NAME.console.log" CTL="$B/$NAME.ctl.sock"
[ -s "$B/vmlinux" ] && [ -s "$B/initrd.img" ] || { echo "boot.sh: no image; run scripts/lab/build-image.sh" >&2; exit 1; }
if [ -e "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; then
  echo "boot.sh: instance $NAME already running (qemu pid $(cat "$PIDF"))"; exit 0
fi
rm -f "$PIDF" "$CON" "$CTL"
ip netns list | grep -qw "$NS" || ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
# Only loopback may exist in the namespace: refuse to run if someone added another link.
if ip netns exec "$NS" ip -o link | grep -v ': lo:' | grep -q .; then
  echo "boot.sh: namespace $NS has non-loopback interfaces; refusing" >&2; exit 1
fi
bios=(); [ -r /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
accel=(-accel tcg -cpu max); [ "${LAB_ACCEL:-tcg}" = kvm ] && accel=(-accel kvm -cpu host)
t0=$(date +%s.%N)
# restrict=off: slirp must deliver guest replies to the forwarded socket; safe, the namespace
# has only lo.  The guest has no default route.
ip netns exec "$NS" qemu-system-x86_64 -nodefaults -no-user-config -no-reboot \
  "${accel[@]}" -m 512 -smp 1 -display none -vga none "${bios[@]}" \
  -kernel "$B/vmlinux" -initrd "$B/initrd.img" \
  -append "console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off cryptomgr.notests no_timer_check tsc=reliable ${LAB_APPEND:-}" \
  -serial "file:$CON" -serial "unix:$CTL,server=on,wait=off" \
  -netdev "user,id=n0,restrict=off,net=10.0.2.0/24,host=10.0.2.2,hostfwd=udp:127.0.0.1:$HP-10.0.2.15:9899" \
  -device virtio-net-pci,netdev=n0,romfile= \
  -daemonize -pidfile "$PIDF"
pid=$(cat "$PIDF")
deadline=$(( $(date +%s) + ${LAB_BOOT_TIMEOUT:-120} ))
until grep -qE 'RSH-READY|RSH-FAILED' "$CON" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { echo "boot.sh: qemu exited" >&2; cat "$CON" >&2; exit 1; }
  [ "$(date +%s)" -lt "$deadline" ] || { echo "boot.sh: no RSH-READY within ${LAB_BOOT_TIMEOUT:-120}s" >&2; tail -20 "$CON" >&2; exit 1; }
  sleep 0.1
done
grep -E 'RSH-' "$CON"
grep -q RSH-READY "$CON" || exit 1
printf 'boot.sh: qemu pid %s, netns %s, udp 127.0.0.1:%s -> guest 9899; qemu start to registrar ready %.1f s\n' \
  "$pid" "$NS" "$HP" "$(echo "$(date +%s.%N) - $t0" | bc -l)"
