#!/bin/sh
# checksec-style verification of the binary: PIE, full RELRO, BIND_NOW,
# non-executable stack, stack protector and FORTIFY symbols present.
set -u
bin=${1:-baseline}
fail=0
hdr=$(readelf -hW "$bin"); dyn=$(readelf -dW "$bin"); seg=$(readelf -lW "$bin"); syms=$(readelf -sW --dyn-syms "$bin")
echo "$hdr" | grep -q 'Type:.*DYN' || { echo "hardening: not PIE"; fail=1; }
echo "$seg" | grep -q 'GNU_RELRO' || { echo "hardening: no RELRO"; fail=1; }
echo "$dyn" | grep -qE 'BIND_NOW|FLAGS.*NOW' || { echo "hardening: no BIND_NOW (partial RELRO)"; fail=1; }
echo "$seg" | grep 'GNU_STACK' | grep -q 'RWE' && { echo "hardening: executable stack"; fail=1; }
echo "$syms" | grep -q '__stack_chk_fail' || { echo "hardening: no stack protector"; fail=1; }
echo "$syms" | grep -q '_chk@' || { echo "hardening: no FORTIFY_SOURCE functions"; fail=1; }
[ $fail -eq 0 ] && echo "check-hardening: ok ($bin: PIE, full RELRO, NX stack, canary, fortify)"
exit $fail
