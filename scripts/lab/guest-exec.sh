#!/bin/bash
# Run one shell command in the running guest over its ttyS1 command channel.
# Usage: scripts/lab/guest-exec.sh 'cat /proc/net/sctp/assocs'
# (python3 on the host does the unix-socket I/O; the guest side is in guest/init)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
B="${LAB_BUILD:-$HERE/.build}" NAME="${LAB_NAME:-rsh}"
exec python3 - "$B/$NAME.ctl.sock" "$1" "${LAB_EXEC_TIMEOUT:-20}" <<'PY'
import socket, sys, time, re
path, cmd, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX); s.connect(path); s.settimeout(0.5)
s.sendall(cmd.replace('\n', ' ').encode() + b'\n')
buf, end = b'', time.time() + timeout
while time.time() < end:
    try:
        d = s.recv(65536)
        if not d: break
        buf += d
    except socket.timeout:
        pass
    m = re.search(rb'\x1eRC=(\d+)', buf)
    if m:
        sys.stdout.write(buf[:m.start()].decode(errors='replace')); sys.exit(int(m.group(1)))
sys.stdout.write(buf.decode(errors='replace')); print('guest-exec: timeout', file=sys.stderr); sys.exit(124)
PY
