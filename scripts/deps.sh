#!/bin/sh
# Install the Debian packages Baseline needs to build and test, only those
# missing.  Idempotent; runs apt-get as root or through sudo.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev \
libyaml-dev libpcre2-dev libsodium-dev libcmocka-dev \
python3 jq binutils"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
		echo "deps: need root or sudo to install:$missing" >&2; exit 1
	fi
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
