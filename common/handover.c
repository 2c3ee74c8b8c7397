/*
 * handover.c - the re-exec upgrade's handover, the parent's exe path, its
 * pid file and "-r".  See handover.h.
 *
 * The handover is text, one record a line, so a failed upgrade can be read
 * with cat /proc/PID/fd/N.  Strings (argv, fd names) are %XX-escaped, so a
 * token never holds a space or a newline:
 *
 *   xb-handover <version> <type> <children>
 *   c <domid> <devid> <pid> <chan> <flags> <unready> <ndeaths> <nring>
 *     <deaths...> <uring fd or -1> <argc> <nheld>
 *   a <arg>                      argc of them
 *   h <name> <fd or -1>          nheld of them (-1: reopened, sup_fd.reopen)
 *   u <hex>                      the io_uring parameters, if uring fd >= 0
 *   f <domid> <devid>            a failed device
 *   end
 *
 * The reader trusts nothing: the file comes from the previous image, which
 * may be older, newer or broken.
 */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <paths.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handover.h"
#include "log.h"
#include "parse.h"

#define HO_MAGIC	"xb-handover"
#define HO_FILE_MAX	(8u << 20)	/* bytes: 4096 devices fit many times */
#define HO_LINE_MAX	4096
#define HO_FD_MAX	(1u << 20)	/* fs.nr_open's default ceiling */
#define HO_DOMID_MAX	0x7fef		/* DOMID_FIRST_RESERVED - 1 */
#define HO_DEVID_MAX	((1u << 28) - 1)

/* ---- writing ---- */

static bool
ho_plain(int ch)
{
	return isalnum(ch) || strchr("-_.:/,=+@", ch) != NULL;
}

static void
put_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0') {
		fputc('~', f);
		return;
	}
	for (; *p != '\0'; p++) {
		if (*p != 0 && ho_plain(*p))
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
	}
}

int
ho_write(const char *type, const struct ho_child *ch, unsigned int n)
{
	const struct ho_child *c;
	unsigned int i, j;
	FILE *f;
	int fd, dfd, saved;

	if ((fd = memfd_create("xb-handover", 0)) == -1)
		return -1;
	if ((dfd = dup(fd)) == -1 || (f = fdopen(dfd, "w")) == NULL) {
		saved = errno;
		if (dfd != -1)
			close(dfd);
		close(fd);
		errno = saved;
		return -1;
	}
	fprintf(f, "%s %d ", HO_MAGIC, HO_VERSION);
	put_str(f, type);
	fprintf(f, " %u\n", n);
	for (i = 0; i < n; i++) {
		c = &ch[i];
		if (c->pid <= 0) {
			fprintf(f, "f %u %u\n", c->domid, c->devid);
			continue;
		}
		fprintf(f, "c %u %u %ld %d %u %u %u %u", c->domid, c->devid,
		    (long)c->pid, c->chan, c->flags, c->unready, c->ndeaths,
		    c->nring);
		for (j = 0; j < c->nring && j < HO_DEATHS; j++)
			fprintf(f, " %llu", (unsigned long long)c->deaths[j]);
		for (j = 0; j < HO_ARGV_MAX && c->argv[j] != NULL; j++)
			;
		fprintf(f, " %d %u %u\n", c->uring_fd, j, c->nheld);
		for (j = 0; j < HO_ARGV_MAX && c->argv[j] != NULL; j++) {
			fputs("a ", f);
			put_str(f, c->argv[j]);
			fputc('\n', f);
		}
		for (j = 0; j < c->nheld; j++) {
			fputs("h ", f);
			put_str(f, c->held[j].name);
			fprintf(f, " %d\n", c->held[j].fd);
		}
		if (c->uring_fd >= 0) {
			fputs("u ", f);
			for (j = 0; j < c->uring_len; j++)
				fprintf(f, "%02x", c->uring_params[j]);
			if (c->uring_len == 0)
				fputc('~', f);
			fputc('\n', f);
		}
	}
	fputs("end\n", f);
	if (fclose(f) == EOF || lseek(fd, 0, SEEK_SET) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* ---- reading ---- */

struct rd {
	char		*buf, *pos;
	unsigned int	 line;
	char		*err;
	size_t		 errlen;
	int		 hofd;
	int		*seen;		/* fds named so far */
	unsigned int	 nseen, maxseen;
};

static int
bad(struct rd *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "handover line %u: %s", r->line, msg);
	errno = EPROTO;
	return -1;
}

/* The next line split into at most max tokens; returns their count or -1. */
static int
next_line(struct rd *r, char **tok, int max)
{
	char *nl, *p;
	int n = 0;

	r->line++;
	if (*r->pos == '\0')
		return bad(r, "missing (the file ends early)");
	if ((nl = strchr(r->pos, '\n')) == NULL)
		return bad(r, "not terminated by a newline");
	if (nl - r->pos > HO_LINE_MAX)
		return bad(r, "longer than %u bytes", HO_LINE_MAX);
	*nl = '\0';
	p = r->pos;
	r->pos = nl + 1;
	for (;;) {
		if (*p == '\0' || *p == ' ')
			return bad(r, "empty token");
		if (n == max)
			return bad(r, "more than %d tokens", max);
		tok[n++] = p;
		if ((p = strchr(p, ' ')) == NULL)
			return n;
		*p++ = '\0';
	}
}

static int
get_uint(struct rd *r, const char *s, uint64_t max, uint64_t *v,
    const char *what)
{
	if (parse_uint(s, max, v) == -1)
		return bad(r, "%s \"%.32s\": %s", what, s,
		    parse_uint_why(s, max));
	return 0;
}

/* Decode a %XX string in place; "~" is the empty string. */
static int
get_str(struct rd *r, char *s, size_t max, const char *what)
{
	char *w = s, *p;
	int hi, lo;

	if (strcmp(s, "~") == 0) {
		*s = '\0';
		return 0;
	}
	for (p = s; *p != '\0'; p++) {
		if (*p != '%') {
			if (!ho_plain((unsigned char)*p))
				return bad(r, "%s: byte 0x%02x not escaped",
				    what, (unsigned char)*p);
			*w++ = *p;
			continue;
		}
		if ((hi = parse_hexdigit(p[1])) == -1 ||
		    (lo = parse_hexdigit(p[2])) == -1 || (hi | lo) == 0)
			return bad(r, "%s: bad escape", what);
		*w++ = (char)(hi << 4 | lo);
		p += 2;
	}
	*w = '\0';
	if ((size_t)(w - s) >= max)
		return bad(r, "%s longer than %zu bytes", what, max - 1);
	return 0;
}

/* An fd the previous image names: open, above 2, named once. */
static int
get_fd(struct rd *r, const char *s, int *fd, const char *what)
{
	uint64_t v;
	unsigned int i;
	int *n;

	if (get_uint(r, s, HO_FD_MAX, &v, what) == -1)
		return -1;
	if (v <= 2 || (int)v == r->hofd)
		return bad(r, "%s %llu is not a handed-over fd", what,
		    (unsigned long long)v);
	if (fcntl((int)v, F_GETFD) == -1)
		return bad(r, "%s %llu is not open", what,
		    (unsigned long long)v);
	for (i = 0; i < r->nseen; i++)
		if (r->seen[i] == (int)v)
			return bad(r, "%s %llu named twice", what,
			    (unsigned long long)v);
	if (r->nseen == r->maxseen) {
		r->maxseen = r->maxseen ? r->maxseen * 2 : 64;
		if ((n = reallocarray(r->seen, r->maxseen, sizeof(*n))) == NULL)
			return bad(r, "out of memory");
		r->seen = n;
	}
	r->seen[r->nseen++] = (int)v;
	*fd = (int)v;
	return 0;
}

/* pid is a child of this process (its ppid, from /proc/PID/stat). */
static bool
is_child(pid_t pid)
{
	char path[64], buf[512], *p;
	long ppid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "pid (comm) S ppid ...": comm may hold anything but ends at the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 1, " %*c %ld",
	    &ppid) != 1)
		return false;
	return ppid == (long)getpid();
}

static int
read_child(struct rd *r, char **tok, int nt, struct ho_child *c)
{
	char *t[4];
	uint64_t v, argc, nheld;
	unsigned int j, k;
	int i = 1;

	/* c domid devid pid chan flags unready ndeaths nring deaths... uring argc nheld */
	if (nt < 12)
		return bad(r, "child record of %d tokens", nt);
	if (get_uint(r, tok[i++], HO_DOMID_MAX, &v, "domid") == -1)
		return -1;
	c->domid = (unsigned int)v;
	if (get_uint(r, tok[i++], HO_DEVID_MAX, &v, "devid") == -1)
		return -1;
	c->devid = (unsigned int)v;
	if (get_uint(r, tok[i++], INT_MAX, &v, "pid") == -1)
		return -1;
	c->pid = (pid_t)v;
	if (c->pid <= 1 || !is_child(c->pid))
		return bad(r, "pid %ld is not a child of this process",
		    (long)c->pid);
	if (get_fd(r, tok[i++], &c->chan, "channel") == -1 ||
	    get_uint(r, tok[i++], HO_FLAGS_ALL, &v, "flags") == -1)
		return -1;
	c->flags = (unsigned int)v;
	if (get_uint(r, tok[i++], UINT_MAX, &v, "unready") == -1)
		return -1;
	c->unready = (unsigned int)v;
	if (get_uint(r, tok[i++], UINT_MAX, &v, "deaths") == -1)
		return -1;
	c->ndeaths = (unsigned int)v;
	if (get_uint(r, tok[i++], HO_DEATHS, &v, "budget ring") == -1)
		return -1;
	c->nring = (unsigned int)v;
	if (nt != 12 + (int)c->nring)
		return bad(r, "child record of %d tokens, %u expected", nt,
		    12 + c->nring);
	for (j = 0; j < c->nring; j++)
		if (get_uint(r, tok[i++], UINT64_MAX, &c->deaths[j],
		    "death time") == -1)
			return -1;
	c->uring_fd = -1;
	if (strcmp(tok[i], "-1") == 0)
		i++;
	else if (get_fd(r, tok[i++], &c->uring_fd, "io_uring fd") == -1)
		return -1;
	if (get_uint(r, tok[i++], HO_ARGV_MAX - 2, &argc, "argc") == -1 ||
	    get_uint(r, tok[i++], SUP_HELD_MAX, &nheld, "held fds") == -1)
		return -1;
	if (argc == 0)
		return bad(r, "a worker without argv");
	for (j = 0; j < argc; j++) {
		if ((k = (unsigned int)next_line(r, t, 2)) == (unsigned int)-1)
			return -1;
		if (k != 2 || strcmp(t[0], "a") != 0)
			return bad(r, "argument %u of %llu expected", j + 1,
			    (unsigned long long)argc);
		if (get_str(r, t[1], PATH_MAX, "argument") == -1 ||
		    (c->argv[j] = strdup(t[1])) == NULL)
			return -1;
	}
	for (j = 0; j < nheld; j++) {
		if ((k = (unsigned int)next_line(r, t, 3)) == (unsigned int)-1)
			return -1;
		if (k != 3 || strcmp(t[0], "h") != 0)
			return bad(r, "held fd %u of %llu expected", j + 1,
			    (unsigned long long)nheld);
		if (get_str(r, t[1], SUP_NAME_MAX, "fd name") == -1)
			return -1;
		/* -1: opened again for each successor (sup_fd.reopen). */
		if (strcmp(t[2], "-1") == 0)
			c->held[j].fd = -1;
		else if (get_fd(r, t[2], &c->held[j].fd, "held fd") == -1)
			return -1;
		strcpy(c->held[j].name, t[1]);
		c->nheld = j + 1;
	}
	if (c->uring_fd >= 0) {
		if ((k = (unsigned int)next_line(r, t, 2)) == (unsigned int)-1)
			return -1;
		if (k != 2 || strcmp(t[0], "u") != 0)
			return bad(r, "io_uring parameters expected");
		if (strcmp(t[1], "~") != 0) {
			size_t len = strlen(t[1]);
			int hi, lo;

			if (len % 2 != 0 || len / 2 > HO_PARAMS_MAX)
				return bad(r, "io_uring parameters of %zu "
				    "digits", len);
			for (j = 0; j < len / 2; j++) {
				if ((hi = parse_hexdigit(t[1][2 * j])) == -1 ||
				    (lo = parse_hexdigit(t[1][2 * j + 1])) == -1)
					return bad(r, "io_uring parameters: "
					    "not hex");
				c->uring_params[j] = (unsigned char)(hi << 4 | lo);
			}
			c->uring_len = len / 2;
		}
	}
	return 0;
}

int
ho_read(int fd, const char *type, struct ho_child **out, unsigned int *n,
    char *err, size_t errlen)
{
	struct rd r = { .err = err, .errlen = errlen, .hofd = fd };
	struct ho_child *ch = NULL;
	struct stat st;
	char *tok[12 + HO_DEATHS + 1], tbuf[32];
	uint64_t v, count;
	unsigned int i, k;
	ssize_t got;
	size_t off = 0;
	int nt;

	snprintf(err, errlen, "handover: ");
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "handover fd %d: %s", fd,
		    strerror(errno));
		goto fail;
	}
	if (st.st_size <= 0 || (uint64_t)st.st_size > HO_FILE_MAX) {
		snprintf(err, errlen, "handover fd %d: %lld bytes (empty or "
		    "over %u)", fd, (long long)st.st_size, HO_FILE_MAX);
		errno = EPROTO;
		goto fail;
	}
	if ((r.buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (off < (size_t)st.st_size) {
		got = pread(fd, r.buf + off, (size_t)st.st_size - off,
		    (off_t)off);
		if (got <= 0) {
			snprintf(err, errlen, "reading handover fd %d: %s", fd,
			    got == 0 ? "short" : strerror(errno));
			errno = EPROTO;
			goto fail;
		}
		off += (size_t)got;
	}
	r.buf[off] = '\0';
	if (strlen(r.buf) != off) {
		bad(&r, "a NUL byte in the file");
		goto fail;
	}
	r.pos = r.buf;
	if ((nt = next_line(&r, tok, 4)) == -1)
		goto fail;
	if (nt != 4 || strcmp(tok[0], HO_MAGIC) != 0) {
		bad(&r, "not a handover");
		goto fail;
	}
	if (get_uint(&r, tok[1], INT_MAX, &v, "version") == -1)
		goto fail;
	if (v != HO_VERSION) {
		bad(&r, "version %llu; this image reads %d",
		    (unsigned long long)v, HO_VERSION);
		goto fail;
	}
	snprintf(tbuf, sizeof(tbuf), "%s", tok[2]);
	if (get_str(&r, tbuf, sizeof(tbuf), "type") == -1)
		goto fail;
	if (strcmp(tbuf, type) != 0) {
		bad(&r, "a handover of %s devices, not %s", tbuf, type);
		goto fail;
	}
	if (get_uint(&r, tok[3], HO_CHILDREN_MAX, &count, "children") == -1)
		goto fail;
	if (count > 0 && (ch = calloc(count, sizeof(*ch))) == NULL)
		goto fail;
	for (i = 0; i < count; i++) {
		if ((nt = next_line(&r, tok, 12 + HO_DEATHS + 1)) == -1)
			goto fail;
		ch[i].pid = -1;
		ch[i].chan = -1;
		ch[i].uring_fd = -1;
		if (strcmp(tok[0], "f") == 0 && nt == 3) {
			if (get_uint(&r, tok[1], HO_DOMID_MAX, &v, "domid") == -1)
				goto fail;
			ch[i].domid = (unsigned int)v;
			if (get_uint(&r, tok[2], HO_DEVID_MAX, &v, "devid") == -1)
				goto fail;
			ch[i].devid = (unsigned int)v;
		} else if (strcmp(tok[0], "c") == 0) {
			if (read_child(&r, tok, nt, &ch[i]) == -1)
				goto fail;
		} else {
			bad(&r, "device %u of %llu expected", i + 1,
			    (unsigned long long)count);
			goto fail;
		}
		for (k = 0; k < i; k++)
			if (ch[k].domid == ch[i].domid &&
			    ch[k].devid == ch[i].devid) {
				bad(&r, "device %u/%u twice", ch[i].domid,
				    ch[i].devid);
				goto fail;
			}
	}
	if ((nt = next_line(&r, tok, 1)) == -1)
		goto fail;
	if (strcmp(tok[0], "end") != 0 || *r.pos != '\0') {
		bad(&r, "\"end\" expected as the last line");
		goto fail;
	}
	/* Ours now: a later exec must not leak them. */
	for (i = 0; i < r.nseen; i++)
		fcntl(r.seen[i], F_SETFD, FD_CLOEXEC);
	free(r.seen);
	free(r.buf);
	close(fd);
	*out = ch;
	*n = (unsigned int)count;
	return 0;
fail:
	k = (unsigned int)errno;
	ho_free(ch, ch != NULL ? (unsigned int)count : 0);
	free(r.seen);
	free(r.buf);
	close(fd);
	errno = (int)k;
	return -1;
}

void
ho_free(struct ho_child *ch, unsigned int n)
{
	unsigned int i, j;

	if (ch == NULL)
		return;
	for (i = 0; i < n; i++)
		for (j = 0; j < HO_ARGV_MAX; j++)
			free(ch[i].argv[j]);
	free(ch);
}

/* ---- exec ---- */

int
ho_exe_path(char *buf, size_t len)
{
	ssize_t n;

	if ((n = readlink("/proc/self/exe", buf, len - 1)) == -1)
		return -1;
	if ((size_t)n >= len - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* Set (on) or clear FD_CLOEXEC on every fd above 2 not in keep[]. */
static void
cloexec_others(const int *keep, unsigned int nkeep, int hofd)
{
	DIR *d;
	struct dirent *de;
	unsigned int i;
	uint64_t v;
	int fd, self;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	self = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (parse_uint(de->d_name, INT_MAX, &v) == -1)
			continue;
		fd = (int)v;
		if (fd <= 2 || fd == self || fd == hofd)
			continue;
		for (i = 0; i < nkeep; i++)
			if (keep[i] == fd)
				break;
		if (i == nkeep)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
}

int
ho_exec(const char *path, int hofd, const int *keep, unsigned int nkeep)
{
	char *args, **argv = NULL, arg[48], *p;
	size_t cap = 4096, len = 0;
	unsigned int i, na = 0;
	ssize_t n;
	int fd, saved, *flags = NULL;

	/* Our argv as the kernel has it; a resumed image's --handover= goes. */
	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if ((args = malloc(cap + 1)) == NULL)
		goto fail;
	while ((n = read(fd, args + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len == cap) {
			cap *= 2;
			if ((p = realloc(args, cap + 1)) == NULL)
				goto fail;
			args = p;
		}
	}
	if (n == -1 || len == 0)
		goto fail;
	args[len] = '\0';
	if ((argv = calloc(len + 2, sizeof(*argv))) == NULL ||
	    (flags = calloc(nkeep + 1, sizeof(*flags))) == NULL)
		goto fail;
	for (p = args; p < args + len; p += strlen(p) + 1)
		if (strncmp(p, "--handover=", 11) != 0 || na == 0)
			argv[na++] = p;
	if (hofd >= 0) {
		snprintf(arg, sizeof(arg), "--handover=%d", hofd);
		argv[na++] = arg;
	}
	argv[na] = NULL;
	close(fd);
	fd = -1;

	/* What survives: the handover and keep[]; nothing else leaks in. */
	for (i = 0; i < nkeep; i++) {
		flags[i] = fcntl(keep[i], F_GETFD);
		fcntl(keep[i], F_SETFD, 0);
	}
	if (hofd >= 0)
		fcntl(hofd, F_SETFD, 0);
	cloexec_others(keep, nkeep, hofd);
	execv(path, argv);
	saved = errno;
	for (i = 0; i < nkeep; i++)
		if (flags[i] != -1)
			fcntl(keep[i], F_SETFD, flags[i]);
	errno = saved;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	free(flags);
	free(argv);
	free(args);
	errno = saved;
	return -1;
}

/* ---- pid file, -r ---- */

static void
pidfile_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s.pid", _PATH_VARRUN, name);
}

int
ho_pidfile(const char *name)
{
	char path[PATH_MAX], buf[32];
	int fd, saved, n;

	pidfile_path(name, path, sizeof(path));
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) == -1)
		return -1;
	/* A running instance holds the lock; its file stays as it is. */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

pid_t
ho_signal_running(const char *name, int signo, char *err, size_t errlen)
{
	char path[PATH_MAX], buf[64], comm[64];
	uint64_t v;
	ssize_t n;
	int fd;

	pidfile_path(name, path, sizeof(path));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errlen, "%s: %s (is %s running?)", path,
		    strerror(errno), name);
		return -1;
	}
	/* The lock is free only when no instance holds the file. */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		snprintf(err, errlen, "%s: no running %s holds it", path, name);
		errno = ESRCH;
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_uint(buf, INT_MAX, &v) == -1 || v <= 1) {
		snprintf(err, errlen, "%s: not a pid", path);
		errno = EINVAL;
		return -1;
	}
	/* comm is the name set at exec: ours, not a recycled pid's. */
	snprintf(path, sizeof(path), "/proc/%llu/comm", (unsigned long long)v);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (n = read(fd, comm, sizeof(comm) - 1)) <= 0) {
		if (fd != -1)
			close(fd);
		snprintf(err, errlen, "pid %llu: not running",
		    (unsigned long long)v);
		errno = ESRCH;
		return -1;
	}
	close(fd);
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	if (strncmp(comm, name, 15) != 0) {	/* TASK_COMM_LEN - 1 */
		snprintf(err, errlen, "pid %llu is \"%s\", not %s",
		    (unsigned long long)v, comm, name);
		errno = ESRCH;
		return -1;
	}
	if (kill((pid_t)v, signo) == -1) {
		snprintf(err, errlen, "pid %llu: %s", (unsigned long long)v,
		    strerror(errno));
		return -1;
	}
	return (pid_t)v;
}

/* ---- for main() ---- */

int
ho_request(const char *name)
{
	char err[PATH_MAX + 128];
	pid_t pid;

	if ((pid = ho_signal_running(name, SIGUSR2, err, sizeof(err))) == -1) {
		fprintf(stderr, "%s: -r: %s\n", name, err);
		return 1;
	}
	fprintf(stderr, "%s: asked pid %ld to re-execute itself (SIGUSR2); "
	    "its log says how it went\n", name, (long)pid);
	return 0;
}

int
ho_parent_start(struct sup *s, const char *name, const char *handover)
{
	uint64_t v;

	if (ho_pidfile(name) == -1)
		log_warn("pid file %s%s.pid%s", _PATH_VARRUN, name,
		    errno == EWOULDBLOCK ? " (held by another running "
		    "instance: -r reaches that one)" : "");
	if (handover == NULL)
		return 0;
	if (parse_uint(handover, INT_MAX, &v) == -1 || v <= 2) {
		log_warnx("--handover=%s: not an fd; nothing adopted",
		    handover);
		return -1;
	}
	return sup_adopt(s, (int)v);
}
