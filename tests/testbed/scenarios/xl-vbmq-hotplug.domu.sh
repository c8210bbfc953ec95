# domU half of xl-vbmq-hotplug: 2 rings from the hotplug script's settings.
# dom0 saves, restores and reboots this domain while it waits; after the
# reboot this script runs again from the start.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
is "/sys/block/xvda/mq has 2 hardware queues" "$(ls /sys/block/xvda/mq | wc -l)" 2
step "read through both rings" 60 sh -c 'taskset -c 0 dd if=/dev/xvda of=/dev/null bs=64k count=64 iflag=direct && taskset -c 1 dd if=/dev/xvda of=/dev/null bs=64k count=64 skip=64 iflag=direct'
ok "dom0 finished its checks" wait_signal done 900
