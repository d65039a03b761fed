#!/bin/bash
# Health check of the running interop guest with the project's own pool user: a Handle
# Resolution for a pool nobody registered must come back from rspregistrar as an Operation
# Error (cause 9, Unknown Pool Handle) over SCTP/UDP via 127.0.0.1:$LAB_HOSTPORT in the netns.
# Exit 0 = registrar answered.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
NS="${LAB_NETNS:-rshlab}" HP="${LAB_HOSTPORT:-9900}"
t0=$(date +%s.%N)
out=$(ip netns exec "$NS" node "$ROOT/bin/rserpool-harness.mjs" pu --registrar "udp:127.0.0.1:$HP" --pool rsh-health-probe --timeout 8000 2>&1)
dt=$(echo "$(date +%s.%N) - $t0" | bc -l)
echo "$out"
if echo "$out" | grep -q 'causes 9'; then printf 'health.sh: registrar answered (%.1f s)\n' "$dt"; exit 0; fi
echo "health.sh: registrar did not answer as expected" >&2; exit 1
