#!/bin/bash
# Foreground wrapper of rsplib's registrar in the lab guest, for `rserpool-harness agent -- ...`:
#   * boots its own guest instance (boot.sh with the LAB_* settings below),
#   * streams the guest's /tmp/registrar.log to stdout (polled over the guest's command channel),
#   * exits non-zero as soon as `pidof rspregistrar` in the guest comes up empty (the registrar
#     crashed), after printing what the guest knows about it (registrar.out, kernel messages),
#   * stops the guest (stop.sh) on SIGTERM / SIGINT / any exit, so an agent restart boots afresh.
# Env (defaults for the fuzz campaign): LAB_NAME=fuzz LAB_NETNS=rshfuzz LAB_HOSTPORT=9940,
#   LAB_POLL (seconds between polls, 1), LAB_APPEND (extra kernel args, e.g. rsh.regargs=...).
# Exit status: 0 never (it runs until stopped), 3 registrar gone, 4 guest gone, 1 boot failed,
#   143/130 stopped by a signal.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
export LAB_NAME="${LAB_NAME:-fuzz}" LAB_NETNS="${LAB_NETNS:-rshfuzz}" LAB_HOSTPORT="${LAB_HOSTPORT:-9940}"
# The namespace also holds the agent and the fuzzer: stop.sh must not try to delete it.
export LAB_KEEP_NETNS=1
B="${LAB_BUILD:-$HERE/.build}"
POLL="${LAB_POLL:-1}"
TMP="$(mktemp -d)"

cleanup() {
  trap - EXIT TERM INT
  echo "registrar-foreground: stopping guest $LAB_NAME"
  "$HERE/stop.sh" || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Children run in the background and are waited for: bash runs a trap only between commands, and
# `wait` is interruptible, so a SIGTERM stops the guest at once instead of after a 20 s exec.
gexec() { LAB_EXEC_TIMEOUT="${2:-20}" "$HERE/guest-exec.sh" "$1" & wait $!; }

echo "registrar-foreground: booting guest $LAB_NAME (netns $LAB_NETNS, udp 127.0.0.1:$LAB_HOSTPORT)"
"$HERE/boot.sh" & wait $!
if [ $? -ne 0 ]; then
  echo "registrar-foreground: boot failed" >&2
  exit 1
fi
pid="$(gexec 'pidof rspregistrar' | tr -d '\r\n ')"
echo "registrar-foreground: rspregistrar running, guest pid ${pid:-?}"

offset=0
while true; do
  qemu_pid="$(cat "$B/$LAB_NAME.pid" 2>/dev/null || true)"
  if [ -z "$qemu_pid" ] || ! kill -0 "$qemu_pid" 2>/dev/null; then
    echo "registrar-foreground: the guest (qemu) is gone" >&2
    exit 4
  fi
  # Liveness first: a crash is reported as soon as possible.
  alive="$(gexec 'pidof rspregistrar || echo NONE' | tr -d '\r')"
  case "$alive" in
    *NONE*)
      echo "registrar-foreground: rspregistrar is gone (was pid ${pid:-?})" >&2
      # One exec for the post-mortem: the rest of the log, the registrar's own stderr, kernel messages.
      gexec "tail -c +$((offset + 1)) /tmp/registrar.log | tail -n 30; echo '--- guest /tmp/registrar.out ---'; tail -n 20 /tmp/registrar.out; echo '--- guest kernel messages (segfaults) ---'; dmesg | grep -iE 'segfault|rspregistrar|trap|general protection' | tail -n 5" >&2 || true
      exit 3
      ;;
    '')
      echo "registrar-foreground: no answer from the guest's command channel" >&2
      ;;
  esac
  # New log bytes since the last poll (bounded per poll so one poll cannot stall on a huge burst).
  if gexec "tail -c +$((offset + 1)) /tmp/registrar.log 2>/dev/null | head -c 262144" > "$TMP/chunk"; then
    n=$(wc -c < "$TMP/chunk")
    if [ "$n" -gt 0 ]; then
      cat "$TMP/chunk"
      offset=$((offset + n))
    fi
  fi
  sleep "$POLL" & wait $!
done
