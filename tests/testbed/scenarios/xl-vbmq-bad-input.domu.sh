# domU half of xl-vbmq-bad-input: wait while dom0 tries bad settings.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
ok "dom0 finished its checks" wait_signal done 120
step "the disk still reads" 30 dd if=/dev/xvda of=/dev/null bs=64k count=16 iflag=direct
