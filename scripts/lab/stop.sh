#!/bin/bash
# Stop the interop guest by its qemu PID file (never by process name) and remove the namespace
# (unless LAB_KEEP_NETNS=1).  Safe to call when nothing runs.
HERE="$(cd "$(dirname "$0")" && pwd)"
B="${LAB_BUILD:-$HERE/.build}"
NS="${LAB_NETNS:-rshlab}" NAME="${LAB_NAME:-rsh}"
PIDF="$B/$NAME.pid"
if [ -e "$PIDF" ]; then
  pid=$(cat "$PIDF")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "stop.sh: stopped qemu pid $pid"
  fi
  rm -f "$PIDF" "$B/$NAME.ctl.sock"
fi
if [ "${LAB_KEEP_NETNS:-0}" != 1 ] && ip netns list 2>/dev/null | grep -qw "$NS"; then
  # only delete it when no process is left inside
  if [ -z "$(ip netns pids "$NS" 2>/dev/null)" ]; then ip netns delete "$NS"; echo "stop.sh: removed netns $NS"; fi
fi
exit 0
