/* SPDX-License-Identifier: GPL-2.0 */
/* xl-vbmq: what the command files share. */
#ifndef XL_VBMQ_H
#define XL_VBMQ_H

#include <stdbool.h>
#include <xenstore.h>

#include "config.h"

/*
 * pin-dom0's record, in dom0's tool area of xenstore (see pin.c): the I/O
 * CPUs, so that `create` and `unpin` know, and per domain the hard
 * affinities its vCPUs had before pin-dom0 or `create` changed them.
 */
#define XLV_XS_DIR	"/tool/vbmq"
#define XLV_XS_IO_CPUS	XLV_XS_DIR "/io-cpus"
#define XLV_XS_SAVED	XLV_XS_DIR "/saved"

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
