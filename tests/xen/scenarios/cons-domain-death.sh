#!/bin/sh
# The last line a guest printed before `xl destroy` is in its log.  The
# guest writes 8 KiB of numbered lines, then "XBT-DD-LAST <token>", and
# powers off at once (on_poweroff=preserve keeps the domain); dom0
# destroys it as soon as it is shut down.  hvc_xen returns from a write
# only once the ring holds it, so the last line is in the ring at the
# latest.  To make the final drain matter, consoled runs with -r 1K (1 KiB/s
# drain): the ring still holds undrained output when xl destroy runs.
# Then: every numbered line in order, the last line, and (consoled) the
# closing note "[consoled: domain <id> (dd) gone]" as the log's last line.
# xenconsoled drains too fast to be caught (its fixed limit is ~0.28 MiB/s)
# and writes no note: only the lines are checked.
# timeout: 120
. /xbtest/lib.sh

[ "$XBT_CONSOLE" = ours ] && consoled_restart -r 1K
tok=$(mktoken)
GUEST_ON_POWEROFF=preserve GUEST_ARGS="loglevel=1 xbt.cons.kib=8 xbt.cons.tag=$tok" cons_guest dd burst
end=$(( $(now) + 90 ))
until xl list "$D" 2>/dev/null | awk 'NR == 2 { exit !($5 ~ /s/) }'; do
	[ "$(now)" -ge "$end" ] && fail "dd did not shut down within 90s (state $(xl list "$D" 2>/dev/null | awk 'NR == 2 { print $5 }'))"
	sleep 0.2
done
inlog=$(grep -c "XBT-DD-LAST $tok" "$CONSOLE_DIR/guest-dd.log")
size=$(wc -c < "$CONSOLE_DIR/guest-dd.log")
log "dd shut down; the log has $size bytes, the last line $inlog times; xl destroy"
xl destroy "$D" || fail "xl destroy $D failed"
note "$XBT_CONSOLE: at xl destroy the log held $size bytes and the last line $inlog times ($([ "$inlog" = 0 ] && echo "the final drain brought it" || echo "the final drain was not needed"))"
gone="[consoled: domain $D (dd) gone]"
if [ "$XBT_CONSOLE" = ours ]; then
	end=$(( $(now) + 10 ))
	until grep -qF "$gone" "$CONSOLE_DIR/guest-dd.log"; do
		[ "$(now)" -ge "$end" ] && fail "no '$gone' in the log 10s after xl destroy: ends '$(tail -c 200 "$CONSOLE_DIR/guest-dd.log" | tr '\n' '|')'"
		sleep 0.3
	done
else
	sleep 2		# xenconsoled: whatever it writes, it writes now
fi
n=$(console_grep dd '^XBT-DD-BEGIN ' | sed 's/.*lines=//')
[ -n "$n" ] || fail "no XBT-DD-BEGIN line"
bad=$(console dd | grep '^XBT-DD [0-9]' | awk -v n="$n" '
    $2 != sprintf("%06d", i) { printf "line %d is \"%s\"", i, $0; bad = 1; exit }
    { i++ }
    END { if (!bad && i != n) printf "%d of %d numbered lines", i, n }')
[ -z "$bad" ] || fail "numbered lines: $bad"
last=$(console dd | grep -n -m 1 "^XBT-DD-LAST $tok\$" | cut -d: -f1)
[ -n "$last" ] || fail "the last line 'XBT-DD-LAST $tok' is not in the log; it ends '$(console dd | tail -n 3 | tr '\n' '|')'"
lastnum=$(console dd | grep -n '^XBT-DD [0-9]' | tail -n 1 | cut -d: -f1)
[ "$last" -gt "$lastnum" ] || fail "XBT-DD-LAST is line $last, before the numbered line at $lastnum"
if [ "$XBT_CONSOLE" = ours ]; then
	g=$(console dd | grep -n -F "$gone" | cut -d: -f1)
	[ "$(echo "$g" | wc -l)" = 1 ] || fail "'$gone' is in the log $(echo "$g" | wc -l) times"
	[ "$g" -gt "$last" ] || fail "'$gone' (line $g) comes before the last line (line $last)"
	tl=$(console dd | grep -v '^$' | tail -n 1)
	[ "$tl" = "$gone" ] || fail "the log ends with '$tl', not with '$gone'"
	log "log: $n numbered lines, XBT-DD-LAST (line $last), '$gone' (line $g, last)"
	consoled_restart
else
	log "log: $n numbered lines, XBT-DD-LAST (line $last); ends '$(console dd | tail -n 2 | tr '\n' '|')'"
fi
pass
