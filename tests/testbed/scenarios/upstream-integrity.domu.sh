# domU half of upstream-integrity: fio write-then-verify over the block-size
# mix, sequential and random, 2 jobs each; then a pattern for dom0 to check.
. /vbmq/scenarios/integrity.lib
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
integrity_fio /dev/xvda
integrity_pattern /dev/xvda
