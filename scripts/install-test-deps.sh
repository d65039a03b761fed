#!/usr/bin/env bash
# Installs the Debian packages the tests use: tshark (the decoding oracle), editcap (pcapng
# conversion), rsplib's C handlespace (benchmark reference) and usrsctp's examples (SCTP interop). Idempotent; uses sudo when not root.
set -euo pipefail
pkgs=()
command -v tshark >/dev/null 2>&1 || pkgs+=(tshark)
command -v editcap >/dev/null 2>&1 || pkgs+=(wireshark-common)
dpkg -s librsplib-dev >/dev/null 2>&1 || pkgs+=(librsplib-dev)
# usrsctp's example programs: the real SCTP peer for the userland SCTP interop tests.
dpkg -s libusrsctp-examples >/dev/null 2>&1 || pkgs+=(libusrsctp-examples)
# usrsctp's library: the interop tests build a small whole-message echo client/server against it.
dpkg -s libusrsctp-dev >/dev/null 2>&1 || pkgs+=(libusrsctp-dev)
# xmllint validates the conformance JUnit report against conformance/schemas/junit.xsd.
command -v xmllint >/dev/null 2>&1 || pkgs+=(libxml2-utils)
[ ${#pkgs[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: installing ${pkgs[*]}" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
