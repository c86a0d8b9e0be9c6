#!/bin/sh
# fixture-root.sh SRC DEST - copy a fake host root (tests/fixtures/hosts/NAME)
# to DEST and give its files the modes, owners and groups listed in
# SRC.modes (path<TAB>mode<TAB>uid<TAB>gid).  Git keeps only the executable
# bit, so modes such as 0600 or 4755 and owners other than root live in that
# side file; tests assess the copy, never the checkout.
#
# Every file of the copy is first owned by root (uid 0, gid 0), as on a real
# system; that needs root.  Exit status: 0 done, 2 bad usage or a bad .modes
# line, 77 not running as root (the automake "skipped" code, so a test runner
# can skip instead of failing).
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 SRC DEST" >&2
	exit 2
fi
src=${1%/}
dest=$2
modes="$src.modes"

if [ ! -d "$src" ]; then
	echo "$0: $src: not a directory" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "$0: needs root to set file owners (skipped)" >&2
	exit 77
fi

mkdir -p "$dest"
# -P: copy symlinks as symlinks (the fixtures' absolute links point inside the root).
cp -RP "$src"/. "$dest"/
chown -hR 0:0 "$dest"
# Directories git created with the checkout's umask get the usual 0755.
find "$dest" -type d -exec chmod 0755 {} +
find "$dest" -type f -exec chmod u+rw,go+r-w {} +

if [ -f "$modes" ]; then
	lineno=0
	while IFS="$(printf '\t')" read -r path mode uid gid; do
		lineno=$((lineno + 1))
		case "$path" in ''|'#'*) continue ;; esac
		case "$path" in
		/*|*..*) echo "$0: $modes:$lineno: path must be relative and stay inside the root: $path" >&2; exit 2 ;;
		esac
		case "$mode$uid$gid" in
		*[!0-9]*) echo "$0: $modes:$lineno: bad mode/uid/gid" >&2; exit 2 ;;
		esac
		target="$dest/$path"
		if [ ! -e "$target" ] || [ -L "$target" ]; then
			echo "$0: $modes:$lineno: $path does not exist in $src (or is a symlink)" >&2
			exit 2
		fi
		chown "$uid:$gid" "$target"
		chmod "$mode" "$target"
	done < "$modes"
fi
