# domU half of vbmq-blkback-hostile: vbmq-testfront (loaded by domu-init
# with the scenario's protocol and program=io,hostile) runs its programs as
# soon as the disk connects; this script relays its results as test points.
# With args "flood", "overflow", "fill", "restart" or "close" it then runs
# that program when dom0 says so (in that order).
. /vbmq/scenarios/testfront.lib

program=$(cat /sys/module/vbmq_testfront/parameters/program)
ok "the test frontend's debugfs files exist" test -r "$tf/results" -a -w "$tf/run" &&
	ok "the test frontend finished program $program" wait_for 240 tf_done "program $program"
tf_relay
diag_file "$tf/counters"
signal errors "$(sed -n 's/^error_responses //p' "$tf/counters")"
signal programs-done

case " $VBMQ_ARGS " in
*" flood "*)
	ok "dom0 says: flood" wait_signal flood 300
	step "the test frontend's flood program" 120 sh -c "echo flood > $tf/run"
	tf_relay
	signal flood-done
	;;
esac
case " $VBMQ_ARGS " in
*" overflow "*)
	ok "dom0 says: overflow" wait_signal overflow 300
	step "the test frontend's overflow program" 60 sh -c "echo overflow > $tf/run"
	tf_relay
	signal overflow-done
	;;
esac
case " $VBMQ_ARGS " in
*" fill "*)
	ok "dom0 says: fill" wait_signal fill 300
	step "the test frontend's fill program" 90 sh -c "echo fill > $tf/run"
	tf_relay
	signal fill-done
	;;
esac
case " $VBMQ_ARGS " in
*" restart "*)
	ok "dom0 says: restart" wait_signal restart 300
	step "the test frontend's restart program" 90 sh -c "echo restart > $tf/run"
	tf_relay
	signal restart-done
	;;
esac
case " $VBMQ_ARGS " in
*" close "*)
	ok "dom0 says: close" wait_signal close 300
	step "the test frontend's close program" 60 sh -c "echo close > $tf/run"
	signal close-sent
	ok "the backend reached Closed after draining" \
		wait_for 180 grep -q "the backend is Closed" "$tf/results"
	tf_relay
	signal close-done
	;;
esac
ok "dom0 finished its checks" wait_signal dom0-checked 300
# Anything the frontend logged since (the backend's Closed, for instance).
tf_relay
