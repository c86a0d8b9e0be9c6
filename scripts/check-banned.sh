#!/bin/sh
# Banned calls (STYLE.md): unbounded or unsafe libc functions stay out of src/.
set -u
pat='\<(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|sscanf|system|popen|gets)[[:space:]]*\('
if grep -rnE "$pat" src/ | grep -v '^\S*:\s*\*' | grep -vE '//.*|/\*.*banned' ; then
	echo "check-banned: banned call(s) above" >&2
	exit 1
fi
echo "check-banned: ok"
