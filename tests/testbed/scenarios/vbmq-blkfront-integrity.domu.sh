# domU half of vbmq-blkfront-integrity.  $VBMQ_ARGS: expected ring count,
# then the expected grant mode (an extended regex: direct, bounce,
# persistent).
. /vbmq/scenarios/integrity.lib
read -r rings mode <<<"$VBMQ_ARGS"
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
is "vbmq/nr_rings is $rings" "$(cat /sys/block/xvda/vbmq/nr_rings)" "$rings"
grants=$(cat /sys/block/xvda/vbmq/grants)
ok "vbmq/grants ($grants) is $mode" grep -E -q -x "$mode" <<<"$grants"
note "max_segments $(cat /sys/block/xvda/vbmq/max_segments), ring_pages $(cat /sys/block/xvda/vbmq/ring_pages), grants $grants, write_cache $(cat /sys/block/xvda/queue/write_cache), discard_max_bytes $(cat /sys/block/xvda/queue/discard_max_bytes)"
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
cat /sys/block/xvda/vbmq/rings | diag_file /dev/stdin
ok "no error responses" awk 'NR > 1 && $13 != 0 { exit 1 }' /sys/block/xvda/vbmq/rings

# The data went the way the mode says: pool pages and copies only when
# bouncing, persistent grants only when persistent.
ring_sum() {
	awk -v col="$1" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		{ s += $c } END { print s + 0 }' /sys/block/xvda/vbmq/rings
}
pool=$(ring_sum pool) pgrants=$(ring_sum pgrants) bounced=$(ring_sum bounced)
note "rings: $pool pool pages, $pgrants persistent grants, $bounced segments bounced"
case $grants in
direct)
	ok "direct: no pool page, no copy" test "$pool" = 0 -a "$bounced" = 0 ;;
*)
	ok "$grants: every ring has pool pages" awk \
		'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "pool") c = i; next } $c == 0 { exit 1 }' \
		/sys/block/xvda/vbmq/rings
	ok "$grants: data was copied through the pool" test "$bounced" -gt 0 ;;
esac
if [ "$grants" = persistent ]; then
	ok "persistent: grants held" test "$pgrants" -gt 0
else
	is "$grants: no persistent grant" "$pgrants" 0
fi
