// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn-rtt: the round trip of a bare event channel between two domains,
 * user space to user space through /dev/xen/evtchn.  The benchmark's floor
 * for any notification-driven PV path in the same bed: one kick into dom0,
 * one interrupt back, each waking a sleeping task, and no block I/O at all.
 *
 *   evtchn-rtt echo DOMID COUNT    bind a fresh port for DOMID, print its
 *                                  number, answer COUNT events (or stop
 *                                  after 10 s without one)
 *   evtchn-rtt ping DOMID PORT COUNT
 *                                  bind to DOMID's PORT, time COUNT round
 *                                  trips after a warm-up, print
 *                                  "rtt_n=N rtt_mean_us=... rtt_p50_us=...
 *                                  rtt_p99_us=... rtt_min_us=..."
 *
 * The warm-up on the ping side is part of COUNT on the echo side: echo
 * COUNT must be ping's COUNT + RTT_WARMUP.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <xen/xen.h>		/* domid_t, for evtchn.h */
#include <xen/sys/evtchn.h>

#define RTT_WARMUP	50
#define RTT_MAX_COUNT	1000000
#define ECHO_IDLE_MS	10000

static int usage(void)
{
	fprintf(stderr,
		"usage: evtchn-rtt echo DOMID COUNT\n"
		"       evtchn-rtt ping DOMID PORT COUNT\n"
		"COUNT: 1..%d; echo answers ping's COUNT + %d events\n",
		RTT_MAX_COUNT, RTT_WARMUP);
	return EXIT_FAILURE;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return (!errno && end != s && !*end && *out <= max) ? 0 : -1;
}

/* Wait for one event on @fd (at most @timeout_ms; -1: forever), unmask it. */
static int wait_event_on(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned int port;
	int n;

	n = poll(&pfd, 1, timeout_ms);
	if (n <= 0)
		return n ? -1 : 1;
	if (read(fd, &port, sizeof(port)) != sizeof(port))
		return -1;
	/* The driver masks a delivered port: writing it back unmasks it. */
	if (write(fd, &port, sizeof(port)) != sizeof(port))
		return -1;
	return 0;
}

static int notify(int fd, unsigned int port)
{
	struct ioctl_evtchn_notify n = { .port = port };

	return ioctl(fd, IOCTL_EVTCHN_NOTIFY, &n);
}

static int do_echo(int fd, unsigned long domid, unsigned long count)
{
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = domid };
	unsigned long i;
	int port, rc;

	port = ioctl(fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
	if (port < 0) {
		perror("evtchn-rtt: bind an unbound port");
		return EXIT_FAILURE;
	}
	printf("%d\n", port);
	fflush(stdout);
	for (i = 0; i < count; i++) {
		errno = 0;
		rc = wait_event_on(fd, ECHO_IDLE_MS);
		if (rc) {
			fprintf(stderr, "evtchn-rtt: %s after %lu of %lu events\n",
				rc > 0 ? "no event for 10 s" : strerror(errno),
				i, count);
			return EXIT_FAILURE;
		}
		if (notify(fd, port)) {
			perror("evtchn-rtt: notify");
			return EXIT_FAILURE;
		}
	}
	return EXIT_SUCCESS;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int do_ping(int fd, unsigned long domid, unsigned long rport,
		   unsigned long count)
{
	struct ioctl_evtchn_bind_interdomain b = {
		.remote_domain = domid, .remote_port = rport,
	};
	double *rtt, t0, sum = 0;
	unsigned long i;
	int port;

	port = ioctl(fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &b);
	if (port < 0) {
		perror("evtchn-rtt: bind to the remote port");
		return EXIT_FAILURE;
	}
	rtt = calloc(count, sizeof(*rtt));
	if (!rtt) {
		perror("evtchn-rtt");
		return EXIT_FAILURE;
	}
	for (i = 0; i < RTT_WARMUP + count; i++) {
		errno = 0;
		t0 = now_us();
		if (notify(fd, port) || wait_event_on(fd, ECHO_IDLE_MS)) {
			fprintf(stderr,
				"evtchn-rtt: round trip %lu failed (%s); does the echo side answer COUNT + %d?\n",
				i, errno ? strerror(errno) : "no answer in 10 s",
				RTT_WARMUP);
			free(rtt);
			return EXIT_FAILURE;
		}
		if (i >= RTT_WARMUP)
			rtt[i - RTT_WARMUP] = now_us() - t0;
	}
	for (i = 0; i < count; i++)
		sum += rtt[i];
	qsort(rtt, count, sizeof(*rtt), cmp_double);
	printf("rtt_n=%lu rtt_mean_us=%.1f rtt_p50_us=%.1f rtt_p99_us=%.1f rtt_min_us=%.1f\n",
	       count, sum / count, rtt[count / 2], rtt[count * 99 / 100],
	       rtt[0]);
	free(rtt);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	unsigned long domid, port, count;
	int fd, rc;

	if (argc == 4 && !strcmp(argv[1], "echo")) {
		if (parse_uint(argv[2], 0x7fef, &domid) ||
		    parse_uint(argv[3], RTT_MAX_COUNT + RTT_WARMUP, &count) || !count)
			return usage();
	} else if (argc == 5 && !strcmp(argv[1], "ping")) {
		if (parse_uint(argv[2], 0x7fef, &domid) ||
		    parse_uint(argv[3], UINT32_MAX, &port) ||
		    parse_uint(argv[4], RTT_MAX_COUNT, &count) || !count)
			return usage();
	} else {
		return usage();
	}
	fd = open("/dev/xen/evtchn", O_RDWR);
	if (fd < 0) {
		perror("evtchn-rtt: /dev/xen/evtchn (is xen-evtchn loaded?)");
		return EXIT_FAILURE;
	}
	if (argv[1][0] == 'e')
		rc = do_echo(fd, domid, count);
	else
		rc = do_ping(fd, domid, port, count);
	close(fd);
	return rc;
}
