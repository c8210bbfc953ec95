# domU half of vbmq-blkback-config; what each domU does depends on its args:
#   refused:   rounds: the test frontend, reloaded with a bad key for
#              each disk dom0 attaches, must see the backend close
#   testfront: the test frontend's program (readonly), results relayed
#   disks:     in-tree xen-blkfront on three disks: xvda read-only, xvdb
#              grown online by dom0, xvdc with 4 KiB sectors
reload_testfront() { rmmod vbmq-testfront && load_module vbmq-testfront "$@"; }
# size_is DISK SECTORS
size_is() { [ "$(cat "/sys/block/$1/size")" = "$2" ]; }

# write_read_mib DISK MIB DESC: 1 MiB of random data written to DISK at MIB
# MiB (direct, synced) and read back equal: two test points; its md5 is
# left in $md5 for dom0
write_read_mib() {
	dd if=/dev/urandom of=/tmp/data bs=1M count=1 2>/dev/null
	md5=$(md5sum < /tmp/data | cut -d' ' -f1)
	step "$1: write 1 MiB $3" 30 \
		dd if=/tmp/data of="/dev/$1" bs=1M seek="$2" oflag=direct conv=fsync
	is "$1: reading it back gives the same bytes" \
		"$(dd if="/dev/$1" bs=1M skip="$2" count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)" \
		"$md5"
}

case " $VBMQ_ARGS " in
*" refused "*)
	# rounds: dom0 sets load-N to the test frontend's parameters for the
	# next disk it attaches (or "done"); each round ends when the frontend
	# saw the backend refuse
	. /vbmq/scenarios/testfront.lib
	n=1
	while params=$(wait_signal "load-$n" 180) && [ "$params" != "done" ]; do
		# shellcheck disable=SC2086
		step "round $n: the test frontend reloads with $params" 30 \
			reload_testfront $params
		relayed=0
		signal "loaded-$n"
		ok "round $n: the test frontend saw the backend refuse (Closing or Closed)" \
			wait_for 60 grep -q "the backend is Clos" "$tf/results"
		tf_relay
		signal "refused-$n"
		n=$((n + 1))
	done
	is "dom0 ended the rounds" "$params" "done"
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
*" disks "*)
	# xvda: read-only
	for d in xvda xvdb xvdc; do
		ok "/dev/$d appears" wait_for 30 test -b "/dev/$d"
	done
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

	# xvdb: grown online by dom0
	is "xvdb has 131072 sectors (64 MiB)" "$(cat /sys/block/xvdb/size)" 131072
	signal sized
	ok "dom0 grew the disk" wait_signal grown 120
	ok "xvdb grows to 196608 sectors (96 MiB) within 10 s" wait_for 10 size_is xvdb 196608
	dmesg | grep -i xvdb | diag_file /dev/stdin
	write_read_mib xvdb 95 "into the new tail (95..96 MiB)"
	signal tail "$md5"

	# xvdc: 4 KiB sectors
	is "xvdc: logical block size 4096" "$(cat /sys/block/xvdc/queue/logical_block_size)" 4096
	is "xvdc: physical block size 4096" "$(cat /sys/block/xvdc/queue/physical_block_size)" 4096
	write_read_mib xvdc 1 "at 1 MiB"
	signal written "$md5"
	ok "dom0 finished its checks" wait_signal dom0-checked 120
	;;
esac
