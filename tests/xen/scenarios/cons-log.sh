#!/bin/sh
# A guest's boot messages land in guest-NAME.log, from the kernel's first
# line on and in order: "Linux version", the kernel command line, the
# init's first line, a line with terminal escapes, the guest script's
# ready line.  consoled only: the log's mode is 0640 whatever the umask,
# and the escapes a guest prints are neutralised (ESC and BEL logged as
# '.', spec: -R off); xenconsoled's mode and raw bytes are noted.
# timeout: 90
. /xbtest/lib.sh

cons_guest cl esc
wait_console cl 'XBT-GUEST-OK cons ready' 60
f=$CONSOLE_DIR/guest-cl.log
first=$(console cl | grep -v '^ *$' | head -n 1)
case $first in
*"Linux version "*) ;;
*) fail "the log's first line is '$first', not the kernel's 'Linux version' line" ;;
esac
n=0
for pat in 'Linux version ' 'command line: .*xbt\.guest=cons' '^XBT-GUEST-BOOT ' '^XBT-ESC ' '^XBT-GUEST-OK cons ready'; do
	l=$(console cl | grep -n -m 1 -E "$pat" | cut -d: -f1)
	[ -n "$l" ] || fail "no line matching '$pat' in the log"
	[ "$l" -gt "$n" ] || fail "'$pat' is line $l, before the line expected before it (line $n)"
	n=$l
done
log "$(wc -l < "$f") lines; in order: Linux version, Command line, XBT-GUEST-BOOT, XBT-ESC, ready"
mode=$(stat -c %a "$f")
esc=$(console_grep cl '^XBT-ESC ')
if [ "$XBT_CONSOLE" = ours ]; then
	[ "$mode" = 640 ] || fail "$f has mode $mode, want 640"
	od -An -tx1 "$f" | grep -qE ' (1b|07)' && fail "the log holds ESC or BEL bytes: $(printf '%s' "$esc" | od -An -c | tr -s ' \n' '  ')"
	[ "$esc" = 'XBT-ESC .[1mbold.[0m .]0;title. bel' ] ||
	    fail "the escape line is logged as '$esc', want 'XBT-ESC .[1mbold.[0m .]0;title. bel'"
else
	note "xenconsoled: log mode $mode; the escape line as logged: $(printf '%s' "$esc" | od -An -c | tr -s ' \n' '  ')"
fi
pass
