/*
 * conslog.c - see conslog.h.
 *
 * Guest bytes go through one pass that sanitises them into a stack buffer
 * and inserts timestamps, then out with one write(2) per buffer (16 KiB),
 * so a console flood costs a few syscalls per ring's worth, never one per
 * byte or per line.  Notes bypass the buffer (they are rare).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conslog.h"

#define OBUF_SIZE	16384
/* Rotate early at a line start this close to the limit (conslog.h). */
#define LINE_SLACK	256
#define NOTE_PREFIX	"[consoled:"
#define NOTE_PREFIX_LEN	(sizeof(NOTE_PREFIX) - 1)
/* C0 bytes kept by default: BS, TAB, LF, CR (consoled.md 5.6). */
#define C0_KEEP		((1u << '\b') | (1u << '\t') | (1u << '\n') | \
			 (1u << '\r'))

/* One conslog_write()'s output buffer. */
struct wbuf {
	unsigned char	b[OBUF_SIZE];
	size_t		len;
	uint64_t	guest;		/* guest bytes in b */
	/* Where timestamps sit in b, to count exactly what a failed write lost. */
	uint16_t	tsoff[OBUF_SIZE / 16];
	size_t		nts;
	char		ts[48];
	size_t		tslen;		/* 0 until needed in this call */
	int		rc;
};

static void
wbuf_init(struct wbuf *w)
{
	w->len = 0;
	w->guest = 0;
	w->nts = 0;
	w->tslen = 0;
	w->rc = 0;
}

/* "[%Y-%m-%d %H:%M:%S] " in UTC (xenconsoled's format, consoled.md 1.7). */
static size_t
make_ts(char *dst, size_t dstlen)
{
	struct tm tm;
	time_t t;

	t = time(NULL);
	if (gmtime_r(&t, &tm) == NULL)
		return 0;
	return strftime(dst, dstlen, "[%Y-%m-%d %H:%M:%S] ", &tm);
}

static void
sanitise(unsigned char *d, const unsigned char *s, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c < 0x20 && !((C0_KEEP >> c) & 1))
			c = '.';
		d[i] = c;
	}
}

/* write(2) all of it or fail; returns the bytes written. */
static size_t
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t off = 0;
	ssize_t r;

	while (off < len) {
		r = write(fd, p + off, len - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	return off;
}

static void
lose(struct conslog *l, uint64_t n)
{
	l->lost += n;
	l->lost_pending += n;
}

/* Write out the buffer; what did not get out is counted as lost. */
static void
flush(struct conslog *l, struct wbuf *w)
{
	size_t off = 0, i, a, e, notguest = 0, lostg;

	if (w->len == 0)
		return;
	if (l->fd != -1)
		off = write_all(l->fd, w->b, w->len);
	l->size += off;
	if (off < w->len) {
		/* Guest bytes in [off, len): all bytes minus timestamp bytes. */
		for (i = 0; i < w->nts; i++) {
			a = w->tsoff[i];
			e = a + w->tslen;
			if (e > off)
				notguest += e - (a > off ? a : off);
		}
		lostg = w->len - off - notguest;
		lose(l, lostg);
		l->written += w->guest - lostg;
	} else
		l->written += w->guest;
	w->len = 0;
	w->guest = 0;
	w->nts = 0;
}

/*
 * Make room for need more bytes: flush a full buffer, rotate a non-empty
 * file they would push past rotate_size (if mayrotate).  Returns how many
 * bytes may go into the buffer now (>= need).
 */
static size_t
room(struct conslog *l, struct wbuf *w, size_t need, int mayrotate)
{
	uint64_t lim = l->o.rotate_size, fs, fr;
	size_t br;

	if (OBUF_SIZE - w->len < need)
		flush(l, w);
	br = OBUF_SIZE - w->len;
	if (lim == 0)
		return br;
	fs = l->size + w->len;
	if (mayrotate && fs > 0 && fs + need > lim) {
		flush(l, w);
		if (conslog_rotate(l) == -1)
			w->rc = -1;
		fs = l->size;
		br = OBUF_SIZE;
	}
	fr = fs < lim ? lim - fs : 0;
	if (fr < need)
		fr = need;	/* an empty file takes at least one unit */
	return fr < br ? (size_t)fr : br;
}

/*
 * Push n guest bytes through the buffer.  checked: the first line start
 * has already been tested against NOTE_PREFIX (held bytes).
 */
static void
emit(struct conslog *l, struct wbuf *w, const unsigned char *p, size_t n,
    int checked)
{
	const unsigned char *end = p + n, *nl;
	uint64_t lim = l->o.rotate_size, fs;
	size_t pre, k, avail, scan, start;
	int subst = 0, bol = 0;

	while (p < end) {
		if (l->at_bol) {
			if (l->o.timestamps && *p == '\r') {
				p++;
				l->written++;
				continue;
			}
			if (!checked && !l->o.raw && *p == '[') {
				k = (size_t)(end - p);
				if (k > NOTE_PREFIX_LEN)
					k = NOTE_PREFIX_LEN;
				if (memcmp(p, NOTE_PREFIX, k) == 0) {
					if (k < NOTE_PREFIX_LEN) {
						/* Undecided: wait for more. */
						memcpy(l->hold, p, k);
						l->nhold = k;
						return;
					}
					subst = 1;
				}
			}
			checked = 0;
			pre = 0;
			if (l->o.timestamps) {
				if (w->tslen == 0)
					w->tslen = make_ts(w->ts, sizeof(w->ts));
				pre = w->tslen;
			}
			/* Rather rotate here than split this line. */
			fs = l->size + w->len;
			if (lim != 0 && fs > 0 && fs < lim &&
			    lim - fs <= LINE_SLACK) {
				scan = (size_t)(end - p);
				if (scan > lim - fs)
					scan = (size_t)(lim - fs);
				nl = memchr(p, '\n', scan);
				if (nl == NULL || fs + pre +
				    (uint64_t)(nl + 1 - p) > lim) {
					flush(l, w);
					if (conslog_rotate(l) == -1)
						w->rc = -1;
				}
			}
			(void)room(l, w, pre + 1, 1);
			if (pre > 0) {
				if (w->nts == sizeof(w->tsoff) /
				    sizeof(w->tsoff[0]))
					flush(l, w);
				w->tsoff[w->nts++] = (uint16_t)w->len;
				memcpy(w->b + w->len, w->ts, pre);
				w->len += pre;
			}
			l->at_bol = 0;
			bol = 1;
		}
		/* Not between a timestamp and its line's first byte. */
		avail = room(l, w, 1, !bol);
		bol = 0;
		if (l->at_bol)
			continue;	/* rotated mid-line: a new file's line */
		k = (size_t)(end - p);
		if (k > avail)
			k = avail;
		nl = memchr(p, '\n', k);
		if (nl != NULL)
			k = (size_t)(nl + 1 - p);
		start = w->len;
		if (l->o.raw)
			memcpy(w->b + start, p, k);
		else
			sanitise(w->b + start, p, k);
		if (subst) {
			w->b[start] = '.';
			subst = 0;
		}
		w->len += k;
		w->guest += k;
		p += k;
		if (nl != NULL)
			l->at_bol = 1;
	}
}

/* Emit held bytes as they are (the line was interrupted or decided). */
static void
release_hold(struct conslog *l, struct wbuf *w)
{
	unsigned char h[sizeof(l->hold)];
	size_t n = l->nhold;

	if (n == 0)
		return;
	memcpy(h, l->hold, n);
	l->nhold = 0;
	emit(l, w, h, n, 1);
}

/* Write "[consoled: text]\n" on a line of its own. */
static int
note_line(struct conslog *l, const char *text)
{
	char line[640], ts[48];
	unsigned char *t;
	size_t len, tl = 0, w;
	int rc = 0, n;

	if (l->fd == -1) {
		errno = EBADF;
		return -1;
	}
	ts[0] = '\0';
	if (l->o.timestamps)
		tl = make_ts(ts, sizeof(ts));
	for (;;) {
		n = snprintf(line, sizeof(line), "%s%.*s%s %s]\n",
		    l->at_bol ? "" : "\n", (int)tl, ts, NOTE_PREFIX, text);
		if (n < 0)
			return -1;
		len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
		if (len == sizeof(line) - 1)
			line[len - 1] = '\n';
		if (l->o.rotate_size == 0 || l->size == 0 ||
		    l->size + len <= l->o.rotate_size)
			break;
		if (conslog_rotate(l) == -1) {
			rc = -1;
			break;
		}
	}
	/* Our text, but it may quote a name: no control bytes in a note. */
	for (t = (unsigned char *)line + (l->at_bol ? 0 : 1);
	    t < (unsigned char *)line + len - 1; t++)
		if (*t < 0x20 || *t == 0x7f)
			*t = '.';
	w = write_all(l->fd, line, len);
	l->size += w;
	if (w < len)
		return -1;
	l->at_bol = 1;
	return rc;
}

/* The note for bytes lost to write errors, once writing works again. */
static void
note_lost(struct conslog *l)
{
	char text[64];

	if (l->lost_pending == 0 || l->fd == -1)
		return;
	snprintf(text, sizeof(text), "%" PRIu64 " bytes lost", l->lost_pending);
	if (note_line(l, text) == 0)
		l->lost_pending = 0;
}

int
conslog_write(struct conslog *l, const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned char tmp[sizeof(l->hold) + NOTE_PREFIX_LEN];
	struct wbuf w;
	size_t k, tn;

	if (len == 0)
		return 0;
	if (l->fd == -1) {
		lose(l, len);
		return 0;
	}
	wbuf_init(&w);
	note_lost(l);
	if (l->nhold > 0) {
		/* Held "[consol...": decide with the new bytes. */
		k = NOTE_PREFIX_LEN - l->nhold;
		if (k > len)
			k = len;
		memcpy(tmp, l->hold, l->nhold);
		memcpy(tmp + l->nhold, p, k);
		tn = l->nhold + k;
		if (memcmp(tmp, NOTE_PREFIX, tn) == 0 &&
		    tn < NOTE_PREFIX_LEN) {
			memcpy(l->hold + l->nhold, p, k);
			l->nhold = tn;
			return 0;
		}
		if (tn == NOTE_PREFIX_LEN &&
		    memcmp(tmp, NOTE_PREFIX, tn) == 0)
			l->hold[0] = '.';
		release_hold(l, &w);
	}
	emit(l, &w, p, len, 0);
	flush(l, &w);
	return w.rc;
}

int
conslog_note(struct conslog *l, const char *fmt, ...)
{
	struct wbuf w;
	char text[512];
	va_list ap;

	if (l->fd == -1) {
		errno = EBADF;
		return -1;
	}
	wbuf_init(&w);
	release_hold(l, &w);
	flush(l, &w);
	note_lost(l);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (note_line(l, text) == -1 || w.rc == -1)
		return -1;
	return 0;
}

/*
 * open(2) as conslog.h says.  O_NONBLOCK so a FIFO without a reader fails
 * (ENXIO) instead of hanging the daemon; cleared again for the regular file.
 */
static int
open_file(const char *path, mode_t mode, struct stat *st)
{
	int fd, save;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK, mode & 07777);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1)
		goto fail;
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	/* Whatever the umask (xenconsoled under systemd left 0644). */
	if (fchmod(fd, mode & 07777) == -1 ||
	    fcntl(fd, F_SETFL, O_APPEND) == -1)
		goto fail;
	return fd;
fail:
	save = errno;
	close(fd);
	errno = save;
	return -1;
}

int
conslog_open(struct conslog *l, const char *path,
    const struct conslog_opts *o)
{
	struct stat st;
	int save;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->o = *o;
	if ((l->path = strdup(path)) == NULL)
		return -1;
	if ((l->fd = open_file(path, o->mode, &st)) == -1) {
		save = errno;
		free(l->path);
		l->path = NULL;
		errno = save;
		return -1;
	}
	l->size = (uint64_t)st.st_size;
	l->at_bol = 1;
	return 0;
}

int
conslog_reopen(struct conslog *l)
{
	struct stat st;
	int fd;

	if (l->path == NULL) {
		errno = EBADF;
		return -1;
	}
	/* Keep writing to the old file if the new one cannot be opened. */
	if ((fd = open_file(l->path, l->o.mode, &st)) == -1)
		return -1;
	if (l->fd != -1)
		close(l->fd);
	l->fd = fd;
	l->size = (uint64_t)st.st_size;
	if (l->size == 0)
		l->at_bol = 1;
	return 0;
}

int
conslog_rotate(struct conslog *l)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct stat st;
	unsigned int i;
	int fd, save;

	if (l->fd == -1 || l->path == NULL) {
		errno = EBADF;
		return -1;
	}
	if (l->o.keep == 0) {
		if (ftruncate(l->fd, 0) == -1)
			goto fail;
	} else {
		/* virtlogd's scheme: .keep-1 -> .keep (the oldest goes) ... */
		for (i = l->o.keep - 1; i >= 1; i--) {
			if (snprintf(from, sizeof(from), "%s.%u", l->path, i) >=
			    (int)sizeof(from) || snprintf(to, sizeof(to),
			    "%s.%u", l->path, i + 1) >= (int)sizeof(to)) {
				errno = ENAMETOOLONG;
				goto fail;
			}
			if (rename(from, to) == -1 && errno != ENOENT)
				goto fail;
		}
		/* ... -> .1; gone already if someone moved it. */
		if (snprintf(to, sizeof(to), "%s.1", l->path) >=
		    (int)sizeof(to)) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		if (rename(l->path, to) == -1 && errno != ENOENT)
			goto fail;
		if ((fd = open_file(l->path, l->o.mode, &st)) == -1)
			goto fail;
		close(l->fd);
		l->fd = fd;
	}
	l->size = 0;
	l->at_bol = 1;
	l->rotations++;
	return 0;
fail:
	/* Go on in the current file; try again after rotate_size more. */
	save = errno;
	l->size = 0;
	errno = save;
	return -1;
}

void
conslog_close(struct conslog *l)
{
	struct wbuf w;

	if (l == NULL)
		return;
	if (l->fd != -1 && l->nhold > 0) {
		wbuf_init(&w);
		release_hold(l, &w);
		flush(l, &w);
	}
	l->nhold = 0;
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	free(l->path);
	l->path = NULL;
}

char *
conslog_safe_name(char *dst, size_t dstlen, const char *name)
{
	size_t i;
	unsigned char c;

	if (dstlen == 0)
		return dst;
	if (name == NULL || *name == '\0')
		name = "unnamed";
	for (i = 0; name[i] != '\0' && i < dstlen - 1; i++) {
		c = (unsigned char)name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			c = '_';
		dst[i] = (char)c;
	}
	dst[i] = '\0';
	/* No hidden files, no "." or "..". */
	if (dst[0] == '.')
		dst[0] = '_';
	return dst;
}
