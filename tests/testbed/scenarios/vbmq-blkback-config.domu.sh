# domU half of vbmq-blkback-config; what each domU does depends on its args:
#   refused:   the test frontend offered a bad key; it must see the backend
#              close, then waits for dom0's checks
#   ro:        in-tree xen-blkfront on a read-only disk
#   testfront: the test frontend's program (readonly), results relayed
#   resize:    in-tree xen-blkfront while dom0 grows the disk
#   sector4k:  in-tree xen-blkfront on a disk with 4 KiB sectors
size_is() { [ "$(cat /sys/block/xvda/size)" = "$1" ]; }

# write_read_mib MIB DESC: 1 MiB of random data written to xvda at MIB MiB
# (direct, synced) and read back equal: two test points; its md5 is left
# in $md5 for dom0
write_read_mib() {
	dd if=/dev/urandom of=/tmp/data bs=1M count=1 2>/dev/null
	md5=$(md5sum < /tmp/data | cut -d' ' -f1)
	step "write 1 MiB $2" 30 \
		dd if=/tmp/data of=/dev/xvda bs=1M seek="$1" oflag=direct conv=fsync
	is "reading it back gives the same bytes" \
		"$(dd if=/dev/xvda bs=1M skip="$1" count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)" \
		"$md5"
}

case " $VBMQ_ARGS " in
*" refused "*)
	. /vbmq/scenarios/testfront.lib
	ok "the test frontend saw the backend refuse (Closing or Closed)" \
		wait_for 60 grep -q "the backend is Clos" "$tf/results"
	ok "dom0 finished its checks" wait_signal dom0-checked 120
	tf_relay
	;;
*" ro "*)
	ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
	is "/sys/block/xvda/ro is 1" "$(cat /sys/block/xvda/ro)" 1
	step "reading 16 MiB works" 60 dd if=/dev/xvda of=/dev/null bs=1M count=16 iflag=direct
	dd if=/dev/zero of=/dev/xvda bs=4k count=1 seek=100 oflag=direct >/tmp/dd.log 2>&1
	rc=$?
	diag_file /tmp/dd.log
	ok "a direct write fails (dd exit status $rc)" test "$rc" != 0
	want=$(wait_signal dom0-md5 120)
	is "the domU reads the 16 MiB dom0 wrote" \
		"$(dd if=/dev/xvda bs=1M count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)" \
		"${want:-none}"
	;;
*" testfront "*)
	. /vbmq/scenarios/testfront.lib
	ok "the test frontend finished its program" wait_for 120 tf_done "program readonly"
	tf_relay
	diag_file "$tf/counters"
	signal programs-done
	ok "dom0 finished its checks" wait_signal dom0-checked 120
	tf_relay
	;;
*" resize "*)
	ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
	is "xvda has 131072 sectors (64 MiB)" "$(cat /sys/block/xvda/size)" 131072
	signal sized
	ok "dom0 grew the disk" wait_signal grown 120
	ok "xvda grows to 196608 sectors (96 MiB) within 10 s" wait_for 10 size_is 196608
	dmesg | grep -i xvda | diag_file /dev/stdin
	write_read_mib 95 "into the new tail (95..96 MiB)"
	signal tail "$md5"
	ok "dom0 finished its checks" wait_signal dom0-checked 120
	;;
*" sector4k "*)
	ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
	is "logical block size 4096" "$(cat /sys/block/xvda/queue/logical_block_size)" 4096
	is "physical block size 4096" "$(cat /sys/block/xvda/queue/physical_block_size)" 4096
	write_read_mib 1 "at 1 MiB"
	signal written "$md5"
	ok "dom0 finished its checks" wait_signal dom0-checked 120
	;;
esac
