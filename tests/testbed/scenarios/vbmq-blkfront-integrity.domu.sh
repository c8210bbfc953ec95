# domU half of vbmq-blkfront-integrity.  $VBMQ_ARGS: RINGS MODE INDIRECT
# [detach RINGS2 MODE2 INDIRECT2]: the expected ring count, grant mode (an
# extended regex: direct, bounce, persistent) and whether requests may be
# indirect (indirect or noindirect); with "detach", dom0 then detaches the
# disk while fio verify runs and attaches it again, with what to expect of
# the new connection (RINGS2 ... or nothing more to check).
. /vbmq/scenarios/integrity.lib
read -r rings mode indirect detach rings2 mode2 indirect2 <<<"$VBMQ_ARGS"

# ring_sum COLUMN: a column of fe_rings summed over rings
ring_sum() {
	awk -v col="$1" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		{ s += $c } END { print s + 0 }' <(fe_rings)
}

# integrity_round RINGS MODE INDIRECT: fio verify at every block size,
# flush, discard and a pattern for dom0, on the connection as it is
integrity_round() {
	local rings=$1 mode=$2 indirect=$3 grants segs pool pgrants bounced

	ok "/dev/xvda appears" wait_for 60 test -b /dev/xvda
	is "vbmq/nr_rings is $rings" "$(cat /sys/block/xvda/vbmq/nr_rings)" "$rings"
	grants=$(cat /sys/block/xvda/vbmq/grants)
	ok "vbmq/grants ($grants) is $mode" grep -E -q -x "$mode" <<<"$grants"
	segs=$(cat /sys/block/xvda/vbmq/max_segments)
	# 11 segments: the direct request limit
	if [ "$indirect" = indirect ]; then
		ok "indirect requests: $segs segments > 11" test "$segs" -gt 11
	else
		is "no indirect requests: 11 segments" "$segs" 11
	fi
	note "max_segments $segs, ring_pages $(cat /sys/block/xvda/vbmq/ring_pages), grants $grants, write_cache $(cat /sys/block/xvda/queue/write_cache), discard_max_bytes $(cat /sys/block/xvda/queue/discard_max_bytes)"
	is "queue has a write-back cache (flush)" "$(cat /sys/block/xvda/queue/write_cache)" "write back"
	integrity_fio /dev/xvda

	# Flush: writes with fsync after each one.
	step "fio write + verify with fsync=1 (flush requests)" 240 \
		fio --name=fsync --filename=/dev/xvda --ioengine=psync --direct=0 \
		--rw=write --bs=64k --size=8m --offset=600m --fsync=1 \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --verify_state_save=0

	# Discard: null_blk returns zeros for a discarded range.
	step "write 8 MiB at 700 MiB" 60 \
		dd if=/dev/urandom of=/dev/xvda bs=1M count=8 seek=700 oflag=direct
	step "blkdiscard 8 MiB at 700 MiB" 60 \
		blkdiscard -o $((700 * 1048576)) -l $((8 * 1048576)) /dev/xvda
	ok "discarded range reads back as zeros" sh -c \
		"dd if=/dev/xvda bs=1M skip=700 count=8 iflag=direct 2>/dev/null | cmp -s - /dev/zero -n $((8 * 1048576))"

	integrity_pattern /dev/xvda
	fe_rings | diag_file /dev/stdin
	ok "no error responses" awk 'NR > 1 && $13 != 0 { exit 1 }' <(fe_rings)

	# The data went the way the mode says: pool pages and copies only
	# when bouncing, persistent grants only when persistent.
	pool=$(ring_sum pool) pgrants=$(ring_sum pgrants) bounced=$(ring_sum bounced)
	note "rings: $pool pool pages, $pgrants persistent grants, $bounced segments bounced"
	case $grants in
	direct)
		ok "direct: no pool page, no copy" test "$pool" = 0 -a "$bounced" = 0 ;;
	*)
		ok "$grants: every ring has pool pages" awk \
			'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "pool") c = i; next } $c == 0 { exit 1 }' \
			<(fe_rings)
		ok "$grants: data was copied through the pool" test "$bounced" -gt 0 ;;
	esac
	if [ "$grants" = persistent ]; then
		ok "persistent: grants held" test "$pgrants" -gt 0
	else
		is "$grants: no persistent grant" "$pgrants" 0
	fi
}

# detach_round: dom0 detaches xvda while fio verify writes to it (fio ends,
# with I/O errors or done, and nothing hangs), then attaches it again: the
# bytes written before the detach read back the same.
detach_round() {
	local md5 got
	dd if=/dev/urandom of=/tmp/keep bs=1M count=4 2>/dev/null
	md5=$(md5sum < /tmp/keep | cut -d' ' -f1)
	step "4 MiB pattern written at 960 MiB before the detach" 60 \
		dd if=/tmp/keep of=/dev/xvda bs=1M seek=960 oflag=direct conv=fsync
	rm -f /tmp/keep /tmp/detach-fio.rc
	(
		fio --name=detach --filename=/dev/xvda --ioengine=libaio \
			--direct=1 --rw=randwrite --bs=128k \
			--iodepth=8 --numjobs=2 --size=32m --offset=300m \
			--offset_increment=64m --time_based=1 --runtime=600 \
			--verify=crc32c --verify_backlog=32 --verify_fatal=1 \
			--verify_state_save=0 --group_reporting=1 \
			> /tmp/detach-fio.out 2>&1
		echo $? > /tmp/detach-fio.rc
	) &
	sleep 5
	ok "fio verify runs before the detach" test ! -e /tmp/detach-fio.rc
	fe_rings | diag_file /dev/stdin
	[ "$(cat /sys/block/xvda/vbmq/grants)" = persistent ] &&
		ok "persistent grants held at the detach" test "$(ring_sum pgrants)" -gt 0
	signal detach-ready
	ok "fio ends after the detach" wait_for 180 test -s /tmp/detach-fio.rc
	diag_file /tmp/detach-fio.out
	note "fio exit status after the detach: $(cat /tmp/detach-fio.rc 2>/dev/null)"
	ok "xvda is gone" wait_for 30 test ! -e /sys/block/xvda
	ok "the xenbus device is gone" wait_for 60 test ! -e /sys/bus/xen/devices/vbd-51712
	dmesg | grep -i -E 'vbmq|xvda|grant|g\.e\.' | tail -n 40 | diag_file /dev/stdin
	ok "no grant ended while still in use, none deferred" sh -c \
		"! dmesg | grep -E 'g\.e\. |still in use|still pending|still maps'"
	signal detach-done
	ok "dom0 attached the disk again" wait_signal attached 300
	ok "/dev/xvda is back" wait_for 60 test -b /dev/xvda
	got=$(dd if=/dev/xvda bs=1M skip=960 count=4 iflag=direct 2>/dev/null |
		md5sum | cut -d' ' -f1)
	is "the bytes written before the detach read back the same" "$got" "$md5"
}

integrity_round "$rings" "$mode" "$indirect"
if [ "$detach" = detach ]; then
	detach_round
	[ -z "$rings2" ] || integrity_round "$rings2" "$mode2" "$indirect2"
fi
