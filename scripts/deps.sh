#!/bin/sh
# Install the Debian packages Baseline needs to build and test, only those
# missing.  Idempotent; runs apt-get as root or through sudo.
set -eu

# ajv for the OSCAL schema validation in tests/validate (package-lock.json
# pins the versions), only when missing.  npm comes with NodeSource's nodejs;
# Debian's own nodejs needs the npm package, installed only if npm is absent.
npm_deps() {
	val="$(dirname "$0")/../tests/validate"
	[ -d "$val/node_modules/ajv" ] && [ -d "$val/node_modules/ajv-formats" ] && return 0
	if ! command -v npm >/dev/null 2>&1; then
		${SUDO:-} apt-get install -y -qq --no-install-recommends npm >/dev/null ||
			{ echo "deps: npm not available; OSCAL validation tests will fail" >&2; return 0; }
	fi
	echo "deps: npm install ajv@8 ajv-formats@3 into tests/validate" >&2
	npm install --prefix "$val" --no-audit --no-fund ajv@8 ajv-formats@3 >/dev/null
}

PKGS="build-essential pkg-config clang libclang-rt-14-dev \
libyaml-dev libpcre2-dev libsodium-dev libcmocka-dev libsqlite3-dev libpq-dev postgresql liblz4-dev zlib1g-dev liblzma-dev libmicrohttpd-dev wrk libcurl4-openssl-dev \
python3-yaml \
python3 jq binutils nodejs \
chromium poppler-utils"
# chromium and poppler-utils serve only tests/browser/check.sh (the HTML report
# rendered headless to PNG and PDF, no network request allowed); they are large,
# but the browser check is part of the suite, so CI installs them too.

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && { npm_deps; exit 0; }

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
npm_deps
