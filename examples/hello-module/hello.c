// SPDX-License-Identifier: GPL-2.0
/*
 * hello - the smallest useful out-of-tree kernel module.
 *
 * It says hello when it is loaded and goodbye when it is removed, in the kernel log,
 * and takes two parameters so that `insmod hello.ko audience=you times=3` shows how
 * options reach a module. Both are readable afterwards under
 * /sys/module/hello/parameters/.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

static char *audience = "world";
module_param(audience, charp, 0444);
MODULE_PARM_DESC(audience, "Who is greeted (default: world)");

static unsigned int times = 1;
module_param(times, uint, 0444);
MODULE_PARM_DESC(times, "How many times the greeting is logged (default: 1)");

static int __init hello_init(void)
{
	unsigned int i;

	if (times > 100) {
		pr_err("hello: times=%u is more than 100, refusing to flood the log\n", times);
		return -EINVAL;
	}
	for (i = 1; i <= times; i++)
		pr_info("hello: loaded, hello %s (%u of %u)\n", audience, i, times);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("hello: unloaded, goodbye %s\n", audience);
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The ringside authors");
MODULE_DESCRIPTION("Sample module: logs a greeting on load and a farewell on unload");
MODULE_VERSION("1.0");
