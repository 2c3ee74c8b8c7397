/*
 * xbtget.c - xbfront-get: the test bed's command channel into a guest that
 * stays up across scenarios (the hostile suite's attacker, lib.sh).
 *
 *   xbfront-get KEY [SECONDS]
 *
 * Waits (a xenstore watch, default 600 s) until KEY exists under our own
 * domain's home (/local/domain/<self>/KEY; dom0 writes it, and a node
 * made under data/ is the guest's to read and remove: libxl creates
 * data/ owned by the guest), prints its value on stdout, removes it, and
 * exits 0; exits 1 on timeout, 2 on a usage or xenstore error.  The busybox
 * guest has no xenstore tools of its own.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenstore.h>

int
main(int argc, char *argv[])
{
	struct xs_handle *xs;
	struct pollfd pfd;
	char path[256], *dom, *v, **w;
	unsigned int len, n;
	long secs = 600;
	time_t end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: xbfront-get KEY [SECONDS]\n");
		return 2;
	}
	if (argc == 3 && (secs = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "xbfront-get: bad SECONDS %s\n", argv[2]);
		return 2;
	}
	if ((xs = xs_open(0)) == NULL) {
		fprintf(stderr, "xbfront-get: xs_open: %s\n", strerror(errno));
		return 2;
	}
	/* "domid" is relative: xenstored reads it under our own home */
	if ((dom = xs_read(xs, XBT_NULL, "domid", &len)) == NULL) {
		fprintf(stderr, "xbfront-get: cannot read our domid: %s\n",
		    strerror(errno));
		return 2;
	}
	snprintf(path, sizeof(path), "/local/domain/%s/%s", dom, argv[1]);
	free(dom);
	if (!xs_watch(xs, path, "xbtget")) {
		fprintf(stderr, "xbfront-get: watch %s: %s\n", path,
		    strerror(errno));
		return 2;
	}
	end = time(NULL) + secs;
	pfd.fd = xs_fileno(xs);
	pfd.events = POLLIN;
	for (;;) {
		if ((v = xs_read(xs, XBT_NULL, path, &len)) != NULL)
			break;
		if (time(NULL) >= end) {
			fprintf(stderr, "xbfront-get: no %s within %ld s\n",
			    path, secs);
			return 1;
		}
		/* the watch fires at once, then on every change; poll bounds it */
		if (poll(&pfd, 1, 1000) > 0 &&
		    (w = xs_read_watch(xs, &n)) != NULL)
			free(w);
	}
	printf("%s\n", v);
	fflush(stdout);
	free(v);
	if (!xs_rm(xs, XBT_NULL, path)) {
		fprintf(stderr, "xbfront-get: rm %s: %s\n", path, strerror(errno));
		return 2;
	}
	/*
	 * No xs_close: the watch started libxenstore's reader thread, which
	 * xs_close ends with pthread_cancel, and that dlopens libgcc_s, which
	 * the guest image lacks (glibc aborts).  exit ends the thread.
	 */
	return 0;
}
