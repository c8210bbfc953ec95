/* SPDX-License-Identifier: GPL-2.0 */
/* xl-vbmq: what the command files share. */
#ifndef XL_VBMQ_H
#define XL_VBMQ_H

#include <stdbool.h>
#include <xenstore.h>

#include "config.h"

/* Where `pin-dom0` records its I/O CPUs, so `create` and `unpin` know. */
#define XLV_XS_IO_CPUS	"/tool/vbmq/io-cpus"

extern const char *xlv_prog;

/* "xl-vbmq: " + message + newline on stderr. */
void xlv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Connect to xenstored (exits with a message that says what to do). */
struct xs_handle *xlv_xs_open(void);
/* xs_read as a NUL-terminated string (free it), NULL if absent. */
char *xlv_xs_read(struct xs_handle *h, xs_transaction_t t, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

/* The online CPUs listed in a sysfs file like /sys/devices/system/cpu/online. */
int xlv_read_cpu_file(const char *path, struct vbmq_cpu_list *l);

/* Commands in pin.c. */
int xlv_cmd_pin_dom0(int argc, char **argv);
int xlv_cmd_unpin(int argc, char **argv);
/* Keep a new domain's vCPUs off the recorded I/O CPUs (0 if none). */
int xlv_pin_exclude_domain(struct xs_handle *h, unsigned int domid);

#endif /* XL_VBMQ_H */
