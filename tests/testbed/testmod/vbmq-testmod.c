// SPDX-License-Identifier: GPL-2.0
/*
 * vbmq-testmod: the smallest out-of-tree module, built on the host against
 * the test bed kernel.  The module-load scenario loads and unloads it to
 * prove that host-built modules match the dom0 kernel (vermagic, symbol
 * CRCs), independently of the drivers.
 */
#include <linux/module.h>
#include <linux/utsname.h>

static int __init vbmq_testmod_init(void)
{
	pr_info("vbmq-testmod: loaded on %s\n", init_utsname()->release);
	return 0;
}

static void __exit vbmq_testmod_exit(void)
{
	pr_info("vbmq-testmod: unloaded\n");
}

module_init(vbmq_testmod_init);
module_exit(vbmq_testmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vbmq test bed: out-of-tree module load check");
