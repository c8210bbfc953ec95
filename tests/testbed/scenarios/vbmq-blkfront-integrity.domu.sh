# domU half of vbmq-blkfront-integrity.  $VBMQ_ARGS: expected ring count.
. /vbmq/scenarios/integrity.lib
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
is "vbmq/nr_rings is $VBMQ_ARGS" "$(cat /sys/block/xvda/vbmq/nr_rings)" "$VBMQ_ARGS"
note "max_segments $(cat /sys/block/xvda/vbmq/max_segments), ring_pages $(cat /sys/block/xvda/vbmq/ring_pages), write_cache $(cat /sys/block/xvda/queue/write_cache), discard_max_bytes $(cat /sys/block/xvda/queue/discard_max_bytes)"
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
