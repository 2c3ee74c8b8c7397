/*
 * conswatch - bench-cons's clock in dom0: follows a guest console log as a
 * console daemon writes it (tail -F: a log renamed away by rotation is read
 * to its end, then the new file from its start) and times what arrives,
 * with the daemon's and dom0's CPU over the same window.
 *
 *   conswatch flood LOG TAG PID TIMEOUT CUT -- CMD [ARG...]
 *	From LOG's current end: run CMD (what makes the guest write), find
 *	the line "XBT-CONS-BEGIN TAG bytes=N sha=S", then "XBT-CONS-END TAG"
 *	at a line start.  The time between the two appearing is the drain
 *	time; the bytes between them go to the file CUT (checked afterwards,
 *	outside the window).  Gives up TIMEOUT s after CMD started.
 *   conswatch rate LOG PID WARMUP SECS
 *	Bytes appended to LOG (across rotations) during SECS seconds that
 *	start WARMUP seconds from now.
 *   conswatch idle PID SECS
 *	The CPU figures over SECS seconds of sleep.
 *
 * Prints one line of key=value pairs: the window's wall time, the
 * daemon's utime+stime (/proc/PID/stat; PID 0: none) and its scheduler
 * run time (/proc/PID/schedstat), dom0's busy and steal time (/proc/stat:
 * user+nice+system+irq+softirq; steal), dom0's vCPU time as Xen counts
 * it (xc_domain_getinfolist: everything dom0 ran, kernel included) and
 * this program's own CPU (polling every 10 ms), which the bench subtracts
 * from dom0's.  Exit 0, or 2 when the END line did not come (flood), 1 on
 * a usage or I/O error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>

#define POLL_NS		10000000L	/* 10 ms */

struct snap {
	double		t;		/* CLOCK_MONOTONIC, s */
	double		daemon_s;	/* the daemon's utime+stime */
	double		run_s;		/* the daemon's scheduler run time */
	double		busy_s;		/* dom0 busy (/proc/stat) */
	double		steal_s;	/* dom0 steal (/proc/stat) */
	double		xen_s;		/* dom0's vCPU time (Xen) */
	double		self_s;		/* our own user+sys */
};

struct follow {
	const char	*path;
	int		 fd;
	ino_t		 ino;
	dev_t		 dev;
	off_t		 pos;		/* read (or counted) up to here */
	int		 rotations;
};

static long	hz;
static xc_interface *xch;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
nap(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

/* utime+stime of PID in seconds; -1 when it is gone */
static double
proc_cpu(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* after the comm's closing parenthesis: state is field 3, utime 14 */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu",
	    &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / hz;
}

/* the first number in /proc/PID/schedstat: ns on a CPU */
static double
proc_run(pid_t pid)
{
	char path[64];
	unsigned long long ns;
	FILE *f;
	int ok;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	ok = fscanf(f, "%llu", &ns) == 1;
	fclose(f);
	return ok ? ns / 1e9 : -1;
}

static void
dom0_stat(double *busy, double *steal)
{
	unsigned long long u, n, s, i, w, irq, sirq, st;
	FILE *f;

	*busy = *steal = 0;
	if ((f = fopen("/proc/stat", "r")) == NULL)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
	    &u, &n, &s, &i, &w, &irq, &sirq, &st) == 8) {
		*busy = (double)(u + n + s + irq + sirq) / hz;
		*steal = (double)st / hz;
	}
	fclose(f);
}

/* dom0's vCPU time in Xen's accounting; 0 without libxenctrl access */
static double
dom0_xen(void)
{
	static int tried;
	xc_domaininfo_t info;

	if (xch == NULL) {
		if (tried++)
			return 0;
		if ((xch = xc_interface_open(NULL, NULL, 0)) == NULL)
			return 0;
	}
	if (xc_domain_getinfolist(xch, 0, 1, &info) != 1 || info.domain != 0)
		return 0;
	return info.cpu_time / 1e9;
}

static void
take(struct snap *sn, pid_t pid)
{
	struct rusage ru;

	sn->t = now();
	sn->daemon_s = proc_cpu(pid);
	sn->run_s = proc_run(pid);
	dom0_stat(&sn->busy_s, &sn->steal_s);
	sn->xen_s = dom0_xen();
	getrusage(RUSAGE_SELF, &ru);
	sn->self_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
print_window(const struct snap *a, const struct snap *b)
{
	printf(" wall=%.3f daemon_s=%.2f daemon_run_s=%.3f dom0_busy_s=%.2f"
	    " dom0_steal_s=%.2f dom0_xen_s=%.3f self_s=%.2f%s",
	    b->t - a->t, b->daemon_s - a->daemon_s, b->run_s - a->run_s,
	    b->busy_s - a->busy_s, b->steal_s - a->steal_s, b->xen_s - a->xen_s,
	    b->self_s - a->self_s, b->daemon_s < 0 ? " daemon_gone=1" : "");
}

/*
 * Follow LOG from its end (atend) or start.  A log that does not exist yet
 * (a daemon may create it at its first output) is followed from the
 * start of the file that appears.
 */
static int
follow_open(struct follow *f, const char *path, int atend)
{
	struct stat st;

	f->path = path;
	f->rotations = 0;
	f->pos = 0;
	if ((f->fd = open(path, O_RDONLY)) == -1) {
		if (errno != ENOENT) {
			fprintf(stderr, "conswatch: %s: %s\n", path, strerror(errno));
			return -1;
		}
		f->rotations = -1;	/* the first file is not a rotation */
		return 0;
	}
	if (fstat(f->fd, &st) == -1)
		return -1;
	f->ino = st.st_ino;
	f->dev = st.st_dev;
	if (atend)
		f->pos = st.st_size;
	return 0;
}

/*
 * Whether the path now names another file than ours (rotated away).  A
 * daemon may have written to ours up to the rename, after our last read:
 * the caller reads ours to its end again before follow_switch().
 */
static int
follow_changed(struct follow *f)
{
	struct stat st;

	return stat(f->path, &st) == 0 &&
	    (f->fd == -1 || st.st_ino != f->ino || st.st_dev != f->dev);
}

/* continue with the file the path names now, from its start */
static int
follow_switch(struct follow *f)
{
	struct stat st;
	int fd;

	if ((fd = open(f->path, O_RDONLY)) == -1)
		return 0;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return 0;
	}
	if (f->fd != -1)
		close(f->fd);
	f->fd = fd;
	f->ino = st.st_ino;
	f->dev = st.st_dev;
	f->pos = 0;
	f->rotations++;
	return 1;
}

/* bytes the current file has beyond pos (a truncated file restarts at 0) */
static off_t
follow_avail(struct follow *f)
{
	struct stat st;

	if (f->fd == -1 || fstat(f->fd, &st) == -1)
		return 0;
	if (st.st_size < f->pos)
		f->pos = 0;
	return st.st_size - f->pos;
}

struct buf {
	char	*p;
	size_t	 len, cap;
};

static int
buf_read(struct buf *b, struct follow *f)
{
	off_t n;
	ssize_t r;

	while ((n = follow_avail(f)) > 0) {
		if (b->cap - b->len < (size_t)n + 1) {
			size_t cap = b->cap ? b->cap : 1 << 20;
			char *p;

			while (cap - b->len < (size_t)n + 1)
				cap *= 2;
			if ((p = realloc(b->p, cap)) == NULL)
				return -1;
			b->p = p;
			b->cap = cap;
		}
		r = pread(f->fd, b->p + b->len, n, f->pos);
		if (r <= 0)
			break;
		b->len += r;
		f->pos += r;
	}
	return 0;
}

/* read everything new, following a rotation */
static int
poll_data(struct buf *b, struct follow *f)
{
	for (;;) {
		if (buf_read(b, f) == -1)
			return -1;
		if (!follow_changed(f))
			return 0;
		if (buf_read(b, f) == -1)
			return -1;
		if (!follow_switch(f))
			return 0;
	}
}

/* first line starting with pfx at or after from; -1 if none */
static long
find_line(const struct buf *b, size_t from, const char *pfx)
{
	size_t l = strlen(pfx);
	const char *p = b->p + from, *end = b->p + b->len;

	while (p + l <= end) {
		const char *q = memmem(p, end - p, pfx, l);

		if (q == NULL)
			return -1;
		if (q == b->p || q[-1] == '\n')
			return q - b->p;
		p = q + 1;
	}
	return -1;
}

static int
flood(int argc, char **argv)
{
	const char *log, *tag, *cut;
	char begin[256], endl[256], *e;
	struct follow f;
	struct snap s0, s1;
	struct buf b = { NULL, 0, 0 };
	double tmo, tb = 0, te = 0, t0;
	long bl = -1, el = -1;
	size_t cstart = 0, scan = 0;
	pid_t pid, child;
	int fd, st, i;

	if (argc < 7 || strcmp(argv[5], "--") != 0)
		return -1;
	log = argv[0];
	tag = argv[1];
	pid = atoi(argv[2]);
	tmo = atof(argv[3]);
	cut = argv[4];
	snprintf(begin, sizeof(begin), "XBT-CONS-BEGIN %s ", tag);
	snprintf(endl, sizeof(endl), "XBT-CONS-END %s\n", tag);

	if (follow_open(&f, log, 1) == -1)
		return 1;
	take(&s0, pid);
	t0 = s0.t;
	if ((child = fork()) == -1)
		return 1;
	if (child == 0) {
		execvp(argv[6], argv + 6);
		_exit(127);
	}
	for (;;) {
		if (poll_data(&b, &f) == -1) {
			fprintf(stderr, "conswatch: out of memory\n");
			return 1;
		}
		if (bl < 0 && (bl = find_line(&b, 0, begin)) >= 0) {
			if ((e = memchr(b.p + bl, '\n', b.len - bl)) == NULL)
				bl = -1;	/* the line is not complete yet */
			else {
				tb = now();
				cstart = scan = e + 1 - b.p;
			}
		}
		if (bl >= 0 && (el = find_line(&b, scan, endl)) >= 0) {
			te = now();
			break;
		}
		if (bl >= 0 && b.len > scan + strlen(endl))
			scan = b.len - strlen(endl);
		if (now() - t0 > tmo)
			break;
		nap();
	}
	take(&s1, pid);

	/* outside the window: the guest's answer, the cut, the report */
	for (i = 0; waitpid(child, &st, WNOHANG) == 0; i++) {
		if (i >= 3000) {	/* 30 s */
			kill(child, SIGKILL);
			waitpid(child, &st, 0);
			break;
		}
		nap();
	}
	printf("end=%d", el >= 0);
	if (bl >= 0) {
		char *line = strndup(b.p + bl, cstart - 1 - bl);
		size_t n = (el >= 0 ? (size_t)el : b.len) - cstart;

		printf(" begin_s=%.3f", tb - t0);
		if (el >= 0)
			printf(" end_s=%.3f secs=%.3f", te - t0, te - tb);
		printf(" found=%zu", n);
		/* the guest's announcement: "bytes=N sha=S" */
		for (e = strtok(line + strlen(begin), " "); e; e = strtok(NULL, " "))
			printf(" expect_%s", e);
		free(line);
		if ((fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
		    write(fd, b.p + cstart, n) != (ssize_t)n || close(fd) == -1) {
			fprintf(stderr, "conswatch: %s: %s\n", cut, strerror(errno));
			return 1;
		}
	} else
		printf(" found=0 log_bytes=%zu", b.len);
	printf(" rotations=%d", f.rotations);
	print_window(&s0, &s1);
	printf("\n");
	return el >= 0 ? 0 : 2;
}

/* count what was appended until t, following rotation */
static void
count_until(struct follow *f, double t, uint64_t *bytes)
{
	off_t n;

	for (;;) {
		for (;;) {
			*bytes += (n = follow_avail(f));
			f->pos += n;
			if (!follow_changed(f))
				break;
			*bytes += (n = follow_avail(f));
			f->pos += n;
			if (!follow_switch(f))
				break;
		}
		if (now() >= t)
			return;
		nap();
	}
}

static int
rate(int argc, char **argv)
{
	struct follow f;
	struct snap s0, s1;
	uint64_t warm = 0, bytes = 0;
	double warmup, secs;
	pid_t pid;

	if (argc != 4)
		return -1;
	pid = atoi(argv[1]);
	warmup = atof(argv[2]);
	secs = atof(argv[3]);
	if (follow_open(&f, argv[0], 1) == -1)
		return 1;
	count_until(&f, now() + warmup, &warm);
	take(&s0, pid);
	count_until(&f, s0.t + secs, &bytes);
	take(&s1, pid);
	printf("bytes=%llu warmup_bytes=%llu rotations=%d", (unsigned long long)bytes,
	    (unsigned long long)warm, f.rotations);
	print_window(&s0, &s1);
	printf("\n");
	return 0;
}

static int
idle(int argc, char **argv)
{
	struct snap s0, s1;
	struct timespec ts;
	pid_t pid;

	if (argc != 2)
		return -1;
	pid = atoi(argv[0]);
	ts.tv_sec = atoi(argv[1]);
	ts.tv_nsec = 0;
	take(&s0, pid);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	take(&s1, pid);
	printf("idle=1");
	print_window(&s0, &s1);
	printf("\n");
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = -1;

	hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0)
		hz = 100;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "flood") == 0)
		rc = flood(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "rate") == 0)
		rc = rate(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "idle") == 0)
		rc = idle(argc - 2, argv + 2);
	if (rc == -1) {
		fprintf(stderr, "usage: conswatch flood LOG TAG PID TIMEOUT CUT -- CMD [ARG...]\n"
		    "       conswatch rate LOG PID WARMUP SECS\n"
		    "       conswatch idle PID SECS\n");
		return 1;
	}
	return rc;
}
