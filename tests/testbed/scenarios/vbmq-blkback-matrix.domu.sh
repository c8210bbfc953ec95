# domU half of vbmq-blkback-matrix: for each combination dom0 applies, fio
# write-then-verify over the block-size mix (random offsets) in a region of
# its own, a discard that must read back as zeros, and a write with flush.
. /vbmq/scenarios/integrity.lib
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
for i in 0 1 2 3 4 5; do
	combo=$(wait_signal "combo-$i" 600) || { fail "dom0 sent combination $i"; break; }
	base=$((i * 128))
	integrity_jobfile randwrite "$base" > /tmp/verify.fio
	step "$combo: fio randwrite + verify, bs 512 B..1 MiB" 240 \
		fio --filename=/dev/xvda --group_reporting=1 --eta=never /tmp/verify.fio
	# discard 4 MiB of what was just written; null_blk reads it as zeros
	off=$((base * 1048576))
	step "$combo: discard 4 MiB" 60 \
		blkdiscard -o "$off" -l $((4 * 1048576)) /dev/xvda
	ok "$combo: the discarded range reads as zeros" \
		cmp -n $((4 * 1048576)) /dev/zero <(dd if=/dev/xvda bs=1M skip="$base" count=4 iflag=direct 2>/dev/null)
	step "$combo: write with flush (O_DIRECT + fsync)" 30 \
		dd if=/dev/urandom of=/dev/xvda bs=4k count=16 seek=$(((base + 100) * 256)) oflag=direct conv=fsync
	signal "combo-$i-done"
done
wait_signal all-done 300 >/dev/null
