# domU half of xl-vbmq-set-live: fio write + verify while dom0 switches the
# backend's poll mode and CPUs.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
ok "dom0 says go" wait_signal go 120
signal fio-started
step "fio randwrite + verify (crc32c), 2 jobs, 3 loops, while dom0 changes settings" 220 \
	fio --name=live --filename=/dev/xvda --ioengine=libaio --direct=1 \
	--rw=randwrite --bssplit=4k/50:16k/25:64k/25 --iodepth=16 --numjobs=2 \
	--size=32m --offset_increment=64m --loops=3 --verify=crc32c --do_verify=1 \
	--verify_fatal=1 --verify_state_save=0 --group_reporting=1
signal fio-done
ok "dom0 finished its checks" wait_signal done 120
