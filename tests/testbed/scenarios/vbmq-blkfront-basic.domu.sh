# domU half of vbmq-blkfront-basic: the disk, its queues, some I/O; with
# args "move", a disk moved from xen-blkfront to vbmq-blkfront instead, then
# vbmq-blkfront unbound with reads in flight and bound again.
case " $VBMQ_ARGS " in
*" move "*)
	ok "/dev/xvda appears (xen-blkfront)" wait_for 30 test -b /dev/xvda
	step "4 MiB pattern written through xen-blkfront" 60 sh -c \
		'dd if=/dev/urandom of=/run/pattern bs=1M count=4 2>/dev/null &&
		 dd if=/run/pattern of=/dev/xvda bs=1M seek=8 oflag=direct 2>/dev/null'
	step "vbmq-blkfront loads next to it" 30 load_module vbmq-blkfront
	step "xen-blkfront lets go of the disk (sysfs unbind)" 60 \
		sh -c 'echo vbd-51712 > /sys/bus/xen/drivers/vbd/unbind'
	ok "xvda is gone" wait_for 30 test ! -b /dev/xvda
	step "vbmq-blkfront takes it (sysfs bind)" 60 \
		sh -c 'echo vbd-51712 > /sys/bus/xen/drivers/vbmq-vbd/bind'
	ok "xvda is back, through vbmq-blkfront" wait_for 60 test -r /sys/block/xvda/vbmq/state
	ok "vbmq/state is connected" wait_for 30 grep -qx connected /sys/block/xvda/vbmq/state
	ok "the pattern reads back equal" sh -c \
		'dd if=/dev/xvda of=/run/back bs=1M skip=8 count=4 iflag=direct 2>/dev/null &&
		 cmp /run/pattern /run/back'
	# vbmq-blkfront unbound with reads in flight, then bound again
	rm -f /run/reader.rc
	(dd if=/dev/xvda of=/dev/null bs=64k count=100000 iflag=direct 2>/dev/null
	 echo $? > /run/reader.rc) &
	reader=$!
	sleep 1
	step "vbmq-blkfront unbound while a reader runs" 60 \
		sh -c 'echo vbd-51712 > /sys/bus/xen/drivers/vbmq-vbd/unbind'
	ok "the reader ends (I/O failed or finished, nothing hangs)" wait_for 30 test -s /run/reader.rc
	note "reader's exit status: $(cat /run/reader.rc 2>/dev/null)"
	wait "$reader"
	ok "xvda is gone again" wait_for 30 test ! -b /dev/xvda
	step "vbmq-blkfront bound again" 60 \
		sh -c 'echo vbd-51712 > /sys/bus/xen/drivers/vbmq-vbd/bind'
	ok "vbmq/state is connected again" wait_for 60 grep -qx connected /sys/block/xvda/vbmq/state
	ok "the pattern still reads back equal" sh -c \
		'dd if=/dev/xvda of=/run/back bs=1M skip=8 count=4 iflag=direct 2>/dev/null &&
		 cmp /run/pattern /run/back'
	signal moved
	ok "dom0 finished its checks" wait_signal dom0-checked 120
	return 0	# sourced by domu-init: the rest is the 2-ring check
	;;
esac
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
# A guest with vbmq installed (/etc/modprobe.d/vbmq-blkfront.conf): what a
# script asks for (xen-blkfront) and what udev asks for a vbd (xen:vbd) is
# vbmq-blkfront, never the in-tree driver beside it.
# (kmod's modprobe, as udev runs it: busybox's sh would run its own applet)
fe_requests() { /sbin/modprobe xen-blkfront && /sbin/modprobe xen:vbd; }
ok "modprobe xen-blkfront and modprobe xen:vbd succeed" fe_requests
ok "xen-blkfront stays unloaded" sh -c "! grep -q '^xen_blkfront ' /proc/modules"
is "/sys/block/xvda/mq has 2 hardware queues" "$(ls /sys/block/xvda/mq | wc -l)" 2
is "vbmq/nr_rings is 2" "$(cat /sys/block/xvda/vbmq/nr_rings)" 2
is "vbmq/state is connected" "$(cat /sys/block/xvda/vbmq/state)" connected
step "64 KiB direct reads, one fio job pinned to each vCPU" 120 \
	fio --name=rd --filename=/dev/xvda --ioengine=libaio --direct=1 \
	--rw=read --bs=64k --size=16m --offset_increment=16m --numjobs=2 \
	--cpus_allowed=0-1 --cpus_allowed_policy=split --group_reporting=1
step "1 MiB direct writes (indirect requests)" 60 \
	dd if=/dev/zero of=/dev/xvda bs=1M count=16 seek=100 oflag=direct
step "flush" 30 sync
fe_rings | diag_file /dev/stdin
grep xvda /proc/interrupts | diag_file /dev/stdin
ok "no errors counted" awk 'NR > 1 && $13 != 0 { exit 1 }' <(fe_rings)
ok "dom0 finished its checks while the rings were up" wait_signal dom0-checked 60
