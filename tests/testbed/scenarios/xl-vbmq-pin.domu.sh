# domU half of xl-vbmq-pin: the disk works; wait while dom0 pins.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
ok "dom0 finished its checks" wait_signal done 120
step "read after unpin" 30 dd if=/dev/xvda of=/dev/null bs=64k count=16 iflag=direct
