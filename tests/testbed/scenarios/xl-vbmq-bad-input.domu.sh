# domU half of xl-vbmq-bad-input: wait while dom0 tries bad settings.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
# Redirect this disk's backend link where dom0 says, put it back when
# dom0 has tried xl-vbmq on it, then write a terminal escape sequence
# into a key xl-vbmq show prints.
victim=$(wait_signal redirect 120)
fe=device/vbd/51712
link=$(xenstore-read "$fe/backend")
step "the backend link points to $victim" 10 xenstore-write "$fe/backend" "$victim"
signal redirected
ok "dom0 tried xl-vbmq on it" wait_signal restore 120
step "the backend link is $link again" 10 xenstore-write "$fe/backend" "$link"
step "an escape sequence in multi-queue-num-queues" 10 \
	xenstore-write "$fe/multi-queue-num-queues" $'\e]0;owned\a\e[2J'
signal restored
ok "dom0 finished its checks" wait_signal done 120
step "the disk still reads" 30 dd if=/dev/xvda of=/dev/null bs=64k count=16 iflag=direct
