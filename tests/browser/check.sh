#!/bin/sh
# tests/browser/check.sh REPORT.html OUTDIR - the real-browser check of an
# HTML page written by baseline (the report, or `baseline publish`):
#   1. headless Chromium loads it from a tiny HTTP server on 127.0.0.1 and
#      writes a screenshot (OUTDIR/report.png) and a PDF (OUTDIR/report.pdf);
#   2. the check fails on any network request other than the page itself,
#      seen two ways: the server's request log (exactly one GET of the page)
#      and Chromium's own net log (no URL requested by the page but itself;
#      see netlog.py for how the page's requests are told from the browser's);
#      a host-resolver rule sends every other name nowhere, so a request
#      that slipped through would still fail rather than leave the machine;
#   3. the check fails on any console message: the page logs nothing, so a
#      message is a Content-Security-Policy violation (the page tried a load
#      its policy blocked: a request attempt) or a script error.
# Exit 0 = pass, 1 = fail, 77 = skipped (no /usr/bin/chromium: apt-get install
# chromium).  Serving over HTTP rather than file:// makes a relative
# src=/href= show up as a request, which file:// would hide.
set -u
page=$1
out=$2
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	echo "browser check skipped: $CHROMIUM not found (apt-get install chromium)"
	exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
mkdir "$work/www"
cp "$page" "$work/www/report.html"
: > "$work/requests.log"
python3 "$here/serve.py" "$work/www" "$work/requests.log" > "$work/port" &
srv=$!
i=0
while [ ! -s "$work/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
port=$(head -n 1 "$work/port")
[ -n "$port" ] || { echo "FAIL: the test server did not start"; exit 1; }
url="http://127.0.0.1:$port/report.html"

run() {   # run NAME ARGS...: one headless Chromium with its own profile
	name=$1; shift
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-extensions --disable-default-apps --no-pings \
		--user-data-dir="$work/profile-$name" \
		--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
		--enable-logging=stderr --log-level=0 --v=0 --log-net-log="$work/net-$name.json" \
		"$@" "$url" > "$work/$name.out" 2> "$work/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: chromium ($name) exited $rc"; tail -n 20 "$work/$name.err"; exit 1
	fi
}

rm -f "$out/report.png" "$out/report.pdf"
run shot --window-size=1280,1700 --hide-scrollbars --screenshot="$out/report.png"
run pdf --no-pdf-header-footer --print-to-pdf="$out/report.pdf"

fail=0
if ! head -c 8 "$out/report.png" 2>/dev/null | od -An -c | grep -q 'P   N   G'; then
	echo "FAIL: no PNG screenshot written"; fail=1
fi
if [ "$(head -c 5 "$out/report.pdf" 2>/dev/null)" != "%PDF-" ]; then
	echo "FAIL: no PDF written"; fail=1
fi
# the server saw exactly the page, once per browser run
bad=$(grep -v '^GET /report.html$' "$work/requests.log")
if [ -n "$bad" ]; then
	echo "FAIL: the page made network requests:"; echo "$bad"; fail=1
fi
[ "$(grep -c '' "$work/requests.log")" -eq 2 ] || { echo "FAIL: expected 2 page loads:"; cat "$work/requests.log"; fail=1; }
for n in shot pdf; do
	urls=$(python3 "$here/netlog.py" "$work/net-$n.json" "http://127.0.0.1") || { fail=1; continue; }
	printf '%s\n' "$urls" | grep -qx "$url" || { echo "FAIL: net log ($n) lacks the page itself"; fail=1; }
	other=$(printf '%s\n' "$urls" | grep -v -x -e "$url" -e '')
	if [ -n "$other" ]; then
		echo "FAIL: net log ($n) shows requests besides the page:"; echo "$other"; fail=1
	fi
	# the page logs nothing: any console message is a CSP violation (a load
	# the policy blocked, so the page tried a request), a script error or worse
	if grep -E ':CONSOLE[:(]|Refused to|Uncaught' "$work/$n.err"; then
		echo "FAIL: console errors ($n)"; fail=1
	fi
done
cp "$work/net-shot.json" "$out/netlog.json" 2>/dev/null
[ $fail -eq 0 ] && echo "browser check passed: $out/report.png, $out/report.pdf; no request but the page"
exit $fail
