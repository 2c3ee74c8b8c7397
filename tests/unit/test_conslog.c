/*
 * test_conslog.c - console log files (conslog.h), in a mkdtemp directory:
 * mode whatever the umask, refusal of symlinks, FIFOs and directories,
 * sanitising, per-log line timestamps, size rotation that loses and
 * duplicates nothing, notes on their own line, unforgeable notes, reopen
 * after an external rename, write-error accounting, conslog_safe_name.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define XORSHIFT_SEED	0xa54ff53a5f1d36f1ULL
#include "xorshift.h"

#include "conslog.h"

static char dir[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/test_conslog.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[sizeof(dir) + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
p(const char *name)
{
	static char buf[4][sizeof(dir) + 64];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* Whole file, NUL-terminated; *len its size.  NULL if it does not exist. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *b;
	struct stat st;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	assert_int_equal(fstat(fileno(f), &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)st.st_size, f), st.st_size);
	b[st.st_size] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)st.st_size;
	return b;
}

static void
assert_file(const char *path, const char *want)
{
	unsigned char *b;
	size_t n;

	b = slurp(path, &n);
	assert_non_null(b);
	if (n != strlen(want) || memcmp(b, want, n) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", path, b, want);
	free(b);
}

static struct conslog_opts
opts(uint64_t rot, unsigned int keep, int ts, int raw)
{
	struct conslog_opts o;

	memset(&o, 0, sizeof(o));
	o.rotate_size = rot;
	o.keep = keep;
	o.timestamps = ts;
	o.raw = raw;
	o.mode = 0640;
	return o;
}

static void
test_mode(void **state)
{
	struct conslog_opts o = opts(0, 0, 0, 0);
	struct conslog l;
	struct stat st;
	mode_t old;
	int fd;

	(void)state;
	old = umask(0);
	assert_int_equal(conslog_open(&l, p("new.log"), &o), 0);
	assert_int_equal(stat(p("new.log"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(fcntl(l.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(fcntl(l.fd, F_GETFL) & (O_APPEND | O_NONBLOCK),
	    O_APPEND);
	conslog_close(&l);
	assert_int_equal(l.fd, -1);
	assert_null(l.path);
	conslog_close(&l);	/* twice is fine */
	conslog_close(NULL);
	/* An existing world-writable file is fixed; its data kept. */
	fd = open(p("old.log"), O_WRONLY | O_CREAT, 0666);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "previous\n", 9), 9);
	close(fd);
	assert_int_equal(conslog_open(&l, p("old.log"), &o), 0);
	assert_true(l.size == 9);
	assert_int_equal(conslog_write(&l, "more\n", 5), 0);
	conslog_close(&l);
	assert_int_equal(stat(p("old.log"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_file(p("old.log"), "previous\nmore\n");
	/* Rotated-to files get the mode too. */
	o = opts(10, 2, 0, 0);
	assert_int_equal(conslog_open(&l, p("rot.log"), &o), 0);
	assert_int_equal(conslog_write(&l, "0123456789abcdef", 16), 0);
	assert_true(l.rotations == 1);
	conslog_close(&l);
	assert_int_equal(stat(p("rot.log"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(stat(p("rot.log.1"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	umask(old);
}

static void
test_refuses(void **state)
{
	struct conslog_opts o = opts(0, 0, 0, 0);
	struct conslog l;
	struct stat st;
	int rfd;

	(void)state;
	/* A symlink (to a file a guest must not reach) is not followed. */
	rfd = open(p("victim"), O_WRONLY | O_CREAT, 0600);
	assert_true(rfd >= 0);
	close(rfd);
	assert_int_equal(symlink(p("victim"), p("link.log")), 0);
	errno = 0;
	assert_int_equal(conslog_open(&l, p("link.log"), &o), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(l.fd, -1);
	assert_null(l.path);
	assert_int_equal(stat(p("victim"), &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* A dangling symlink is not followed either (no file created). */
	assert_int_equal(symlink(p("nowhere"), p("dangling.log")), 0);
	assert_int_equal(conslog_open(&l, p("dangling.log"), &o), -1);
	assert_int_equal(access(p("nowhere"), F_OK), -1);
	/* A FIFO without a reader: refused at once, no hang. */
	assert_int_equal(mkfifo(p("fifo.log"), 0600), 0);
	assert_int_equal(conslog_open(&l, p("fifo.log"), &o), -1);
	assert_int_equal(l.fd, -1);
	/* ... and with one: refused as not a regular file. */
	rfd = open(p("fifo.log"), O_RDONLY | O_NONBLOCK);
	assert_true(rfd >= 0);
	errno = 0;
	assert_int_equal(conslog_open(&l, p("fifo.log"), &o), -1);
	assert_int_equal(errno, EINVAL);
	close(rfd);
	/* A directory. */
	assert_int_equal(mkdir(p("dir.log"), 0700), 0);
	assert_int_equal(conslog_open(&l, p("dir.log"), &o), -1);
	assert_int_equal(l.fd, -1);
	/* No such directory. */
	errno = 0;
	assert_int_equal(conslog_open(&l, p("none/x.log"), &o), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_sanitise(void **state)
{
	struct conslog_opts o = opts(0, 0, 0, 0);
	unsigned char in[256], want[256], *got;
	struct conslog l;
	size_t n, i;

	(void)state;
	for (i = 0; i < 256; i++) {
		in[i] = (unsigned char)i;
		want[i] = (unsigned char)i;
		if (i < 0x20 && i != '\t' && i != '\n' && i != '\r' &&
		    i != '\b')
			want[i] = '.';
	}
	assert_int_equal(want[0x1b], '.');	/* ESC */
	assert_int_equal(want[0], '.');
	assert_int_equal(conslog_open(&l, p("san.log"), &o), 0);
	assert_int_equal(conslog_write(&l, in, 256), 0);
	assert_true(l.written == 256 && l.lost == 0);
	conslog_close(&l);
	got = slurp(p("san.log"), &n);
	assert_int_equal(n, 256);
	assert_memory_equal(got, want, 256);
	free(got);
	/* Raw keeps everything. */
	o.raw = 1;
	assert_int_equal(conslog_open(&l, p("raw.log"), &o), 0);
	assert_int_equal(conslog_write(&l, in, 256), 0);
	assert_int_equal(conslog_write(&l, "\x1b[2J", 4), 0);
	conslog_close(&l);
	got = slurp(p("raw.log"), &n);
	assert_int_equal(n, 260);
	assert_memory_equal(got, in, 256);
	assert_memory_equal(got + 256, "\x1b[2J", 4);
	free(got);
}

/* "[YYYY-MM-DD HH:MM:SS] " at s, within a minute of now. */
static int
is_ts(const unsigned char *s)
{
	struct tm tm;
	time_t t;
	int i;

	for (i = 0; i < CONSLOG_TS_LEN; i++)
		if (s[i] == '\0')
			return 0;
	if (s[0] != '[' || s[5] != '-' || s[8] != '-' || s[11] != ' ' ||
	    s[14] != ':' || s[17] != ':' || s[20] != ']' || s[21] != ' ')
		return 0;
	memset(&tm, 0, sizeof(tm));
	if (strptime((const char *)s, "[%Y-%m-%d %H:%M:%S] ", &tm) == NULL)
		return 0;
	t = timegm(&tm);
	return t <= time(NULL) + 1 && t >= time(NULL) - 60;
}

/* Remove every timestamp at a line start; fail if a line lacks one. */
static char *
strip_ts(const char *path)
{
	unsigned char *b, *s;
	char *out, *o;
	size_t n;

	b = slurp(path, &n);
	assert_non_null(b);
	out = o = malloc(n + 1);
	assert_non_null(out);
	for (s = b; *s != '\0';) {
		if (!is_ts(s))
			fail_msg("%s: no timestamp at offset %zu",
			    path, (size_t)(s - b));
		s += CONSLOG_TS_LEN;
		while (*s != '\0' && *s != '\n')
			*o++ = (char)*s++;
		if (*s == '\n')
			*o++ = (char)*s++;
	}
	*o = '\0';
	free(b);
	return out;
}

static void
test_timestamps(void **state)
{
	struct conslog_opts o = opts(0, 0, 1, 0);
	struct conslog a, b;
	char *s;

	(void)state;
	assert_int_equal(conslog_open(&a, p("tsa.log"), &o), 0);
	assert_int_equal(conslog_open(&b, p("tsb.log"), &o), 0);
	/* Interleaved: each log's line state is its own. */
	assert_int_equal(conslog_write(&a, "a1", 2), 0);
	assert_int_equal(conslog_write(&b, "b1\n", 3), 0);
	assert_int_equal(conslog_write(&a, "a2\n", 3), 0);
	assert_int_equal(conslog_write(&b, "b2", 2), 0);
	assert_int_equal(conslog_write(&a, "a3\n\nA", 5), 0);
	assert_int_equal(conslog_write(&b, "b3\nb4\n", 6), 0);
	/* CRs right after a newline are skipped (xenconsoled does). */
	assert_int_equal(conslog_write(&a, "\n\r\rx\r\n", 6), 0);
	conslog_close(&a);
	conslog_close(&b);
	s = strip_ts(p("tsa.log"));
	assert_string_equal(s, "a1a2\na3\n\nA\nx\r\n");
	free(s);
	s = strip_ts(p("tsb.log"));
	assert_string_equal(s, "b1\nb2b3\nb4\n");
	free(s);
	/* And exactly one timestamp per line: 5 lines in tsa.log. */
	{
		unsigned char *raw;
		size_t n, i, lines = 0;

		raw = slurp(p("tsa.log"), &n);
		for (i = 0; i < n; i++)
			lines += raw[i] == '\n';
		free(raw);
		assert_int_equal(lines, 5);
		assert_int_equal(n, strlen("a1a2\na3\n\nA\nx\r\n") +
		    5 * CONSLOG_TS_LEN);
	}
}

/* Concatenate name.N .. name.1, name; returns the length. */
static size_t
concat_rotated(const char *name, unsigned int maxn, unsigned char *dst,
    size_t dstlen, uint64_t limit, unsigned int *nfiles)
{
	char path[PATH_MAX];
	unsigned char *b;
	size_t n, len = 0;
	unsigned int i;

	*nfiles = 0;
	for (i = maxn + 1; i >= 1; i--) {
		if (i == maxn + 1)
			snprintf(path, sizeof(path), "%s.%u", p(name), i);
		else if (i > 0)
			snprintf(path, sizeof(path), "%s.%u", p(name), i);
		if ((b = slurp(path, &n)) == NULL)
			continue;
		assert_true(i <= maxn);		/* nothing past .keep */
		(*nfiles)++;
		if (limit != 0)
			assert_true(n <= limit);
		assert_true(len + n <= dstlen);
		memcpy(dst + len, b, n);
		len += n;
		free(b);
	}
	b = slurp(p(name), &n);
	assert_non_null(b);
	if (limit != 0)
		assert_true(n <= limit);
	assert_true(len + n <= dstlen);
	memcpy(dst + len, b, n);
	len += n;
	free(b);
	return len;
}

static void
fill_random(unsigned char *b, size_t n, unsigned int nl_one_in)
{
	size_t i;

	for (i = 0; i < n; i++) {
		b[i] = (unsigned char)rng();
		if (b[i] == '\n' || rng() % nl_one_in == 0)
			b[i] = rng() & 1 ? '\n' : 'a' + (unsigned char)(i % 26);
	}
}

static void
write_chunks(struct conslog *l, const unsigned char *b, size_t n)
{
	size_t off, k;

	for (off = 0; off < n; off += k) {
		k = rng() % 4 == 0 ? rng() % 20000 : rng() % 700;
		if (k > n - off)
			k = n - off;
		assert_int_equal(conslog_write(l, b + off, k), 0);
	}
}

static void
test_rotation_exact(void **state)
{
	struct conslog_opts o = opts(64 << 10, 100, 0, 1);
	size_t total = 1 << 20, n;
	unsigned char *in, *out;
	unsigned int nfiles;
	struct conslog l;

	(void)state;
	in = malloc(total);
	out = malloc(2 * total);
	assert_true(in && out);
	fill_random(in, total, 60);
	assert_int_equal(conslog_open(&l, p("big.log"), &o), 0);
	write_chunks(&l, in, total);
	assert_true(l.written == total && l.lost == 0);
	assert_true(l.rotations >= 16 && l.rotations <= 17);
	conslog_close(&l);
	n = concat_rotated("big.log", 100, out, 2 * total, 64 << 10, &nfiles);
	assert_int_equal(nfiles, 16);
	assert_int_equal(n, total);
	assert_memory_equal(out, in, total);
	free(in);
	free(out);
}

static void
test_rotation_keep(void **state)
{
	struct conslog_opts o = opts(64 << 10, 3, 0, 1);
	size_t total = 1 << 20, n, start;
	unsigned char *in, *out;
	unsigned int nfiles;
	struct conslog l;
	struct stat st;

	(void)state;
	in = malloc(total);
	out = malloc(2 * total);
	assert_true(in && out);
	fill_random(in, total, 80);
	assert_int_equal(conslog_open(&l, p("k3.log"), &o), 0);
	write_chunks(&l, in, total);
	conslog_close(&l);
	n = concat_rotated("k3.log", 3, out, 2 * total, 64 << 10, &nfiles);
	assert_int_equal(nfiles, 3);
	assert_int_equal(stat(p("k3.log.4"), &st), -1);
	/* What is kept is the newest bytes, in order. */
	assert_true(n > 3 * (64 << 10) - 3 * 256 && n <= 4 * (64 << 10));
	start = total - n;
	assert_memory_equal(out, in + start, n);
	/* keep 0: the file is truncated instead, never past the limit. */
	o = opts(4096, 0, 0, 1);
	assert_int_equal(conslog_open(&l, p("k0.log"), &o), 0);
	write_chunks(&l, in, 100000);
	assert_true(l.rotations > 20);
	conslog_close(&l);
	assert_int_equal(stat(p("k0.log"), &st), 0);
	assert_true(st.st_size <= 4096);
	assert_int_equal(stat(p("k0.log.1"), &st), -1);
	free(in);
	free(out);
}

static void
test_rotation_sanitised_timestamps(void **state)
{
	struct conslog_opts o = opts(8192, 50, 1, 0);
	size_t total = 200000, n, i;
	unsigned char *in;
	char path[PATH_MAX], *s, *all;
	struct conslog l;
	size_t alen = 0;

	(void)state;
	in = malloc(total);
	all = malloc(total + 1);
	assert_true(in && all);
	fill_random(in, total, 40);
	for (i = 0; i < total; i++)	/* no notes, no CR after LF */
		if (in[i] == '[' || in[i] == '\r')
			in[i] = 'x';
	assert_int_equal(conslog_open(&l, p("st.log"), &o), 0);
	write_chunks(&l, in, total);
	assert_true(l.written == total);
	conslog_close(&l);
	for (i = 50; i >= 1; i--) {
		snprintf(path, sizeof(path), "%s.%zu", p("st.log"), i);
		if (access(path, F_OK) == -1)
			continue;
		s = strip_ts(path);
		n = strlen(s);
		memcpy(all + alen, s, n);
		alen += n;
		free(s);
	}
	s = strip_ts(p("st.log"));
	n = strlen(s);
	memcpy(all + alen, s, n);
	alen += n;
	free(s);
	/* NUL bytes became '.', so strlen() saw everything. */
	assert_int_equal(alen, total);
	for (i = 0; i < total; i++) {
		unsigned char c = in[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\b')
			c = '.';
		if ((unsigned char)all[i] != c)
			fail_msg("byte %zu: 0x%02x, want 0x%02x", i,
			    (unsigned char)all[i], c);
	}
	free(in);
	free(all);
}

static void
test_rotation_line_boundary(void **state)
{
	struct conslog_opts o = opts(1000, 20, 0, 0);
	char line[64], path[PATH_MAX];
	unsigned char *b, last;
	struct conslog l;
	unsigned int i;
	size_t n;

	(void)state;
	assert_int_equal(conslog_open(&l, p("lines.log"), &o), 0);
	for (i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "line %03u of the console......\n",
		    i);
		assert_int_equal(conslog_write(&l, line, strlen(line)), 0);
	}
	conslog_close(&l);
	/* Lines are 30 bytes: each rotated file is whole lines, > 744 bytes. */
	for (i = 1; i <= 5; i++) {
		snprintf(path, sizeof(path), "%s.%u", p("lines.log"), i);
		b = slurp(path, &n);
		assert_non_null(b);
		last = b[n - 1];
		free(b);
		assert_true(n > 1000 - 256 && n <= 1000);
		assert_int_equal(n % 30, 0);
		assert_int_equal(last, '\n');
	}
}

static void
test_notes(void **state)
{
	struct conslog_opts o = opts(0, 0, 0, 0);
	struct conslog l;
	char *s;

	(void)state;
	assert_int_equal(conslog_open(&l, p("notes.log"), &o), 0);
	assert_int_equal(conslog_note(&l, "start %d", 1), 0);
	assert_int_equal(conslog_write(&l, "abc", 3), 0);
	assert_int_equal(conslog_note(&l, "domain %d (%s) gone", 5, "g\x1b\nx"),
	    0);
	assert_int_equal(conslog_write(&l, "def\n", 4), 0);
	assert_int_equal(conslog_note(&l, "bad ring indices prod=%u cons=%u",
	    9u, 3u), 0);
	assert_true(l.written == 7);
	conslog_close(&l);
	assert_file(p("notes.log"), "[consoled: start 1]\nabc\n"
	    "[consoled: domain 5 (g..x) gone]\ndef\n"
	    "[consoled: bad ring indices prod=9 cons=3]\n");
	/* With timestamps. */
	o.timestamps = 1;
	assert_int_equal(conslog_open(&l, p("notes-ts.log"), &o), 0);
	assert_int_equal(conslog_write(&l, "abc", 3), 0);
	assert_int_equal(conslog_note(&l, "n"), 0);
	assert_int_equal(conslog_write(&l, "x\n", 2), 0);
	conslog_close(&l);
	s = strip_ts(p("notes-ts.log"));
	assert_string_equal(s, "abc\n[consoled: n]\nx\n");
	free(s);
}

static void
test_no_forged_notes(void **state)
{
	struct conslog_opts o = opts(0, 0, 0, 0);
	struct conslog l;

	(void)state;
	assert_int_equal(conslog_open(&l, p("forge.log"), &o), 0);
	assert_int_equal(conslog_write(&l, "[consoled: fake]\n", 17), 0);
	/* Split over writes, one byte at a time. */
	for (const char *c = "[consoled: fake2]\n"; *c != '\0'; c++)
		assert_int_equal(conslog_write(&l, c, 1), 0);
	/* Prefixes that turn out different are kept as they are. */
	assert_int_equal(conslog_write(&l, "[co", 3), 0);
	assert_int_equal(conslog_write(&l, "w]\n", 3), 0);
	assert_int_equal(conslog_write(&l, "[consoled", 9), 0);
	assert_int_equal(conslog_write(&l, "X\n", 2), 0);
	assert_int_equal(conslog_write(&l, "[    0.0] linux\n", 16), 0);
	/* Not at a line start: kept. */
	assert_int_equal(conslog_write(&l, "x[consoled: y]\n", 15), 0);
	/* A note interrupting a held prefix. */
	assert_int_equal(conslog_write(&l, "[cons", 5), 0);
	assert_int_equal(conslog_note(&l, "real"), 0);
	/* A held prefix at close is written. */
	assert_int_equal(conslog_write(&l, "[c", 2), 0);
	assert_true(l.written == 17 + 18 + 6 + 11 + 16 + 15 + 5);
	conslog_close(&l);
	assert_file(p("forge.log"), ".consoled: fake]\n.consoled: fake2]\n"
	    "[cow]\n[consoledX\n[    0.0] linux\nx[consoled: y]\n"
	    "[cons\n[consoled: real]\n[c");
	/* Raw logs keep guest bytes as they are. */
	o.raw = 1;
	assert_int_equal(conslog_open(&l, p("forge-raw.log"), &o), 0);
	assert_int_equal(conslog_write(&l, "[consoled: fake]\n", 17), 0);
	conslog_close(&l);
	assert_file(p("forge-raw.log"), "[consoled: fake]\n");
}

static void
test_reopen(void **state)
{
	struct conslog_opts o = opts(0, 0, 1, 0);
	struct conslog l;
	char *s;

	(void)state;
	assert_int_equal(conslog_open(&l, p("ro.log"), &o), 0);
	assert_int_equal(conslog_write(&l, "one\ntw", 6), 0);
	/* logrotate moves the file, then SIGHUP. */
	assert_int_equal(rename(p("ro.log"), p("ro.log-20260101")), 0);
	assert_int_equal(conslog_write(&l, "o\n", 2), 0);	/* old file */
	assert_int_equal(conslog_reopen(&l), 0);
	assert_true(l.size == 0);
	assert_int_equal(conslog_write(&l, "three\n", 6), 0);
	s = strip_ts(p("ro.log-20260101"));
	assert_string_equal(s, "one\ntwo\n");
	free(s);
	s = strip_ts(p("ro.log"));
	assert_string_equal(s, "three\n");
	free(s);
	/* Reopening the same file continues it, mid-line state kept. */
	assert_int_equal(conslog_write(&l, "fo", 2), 0);
	assert_int_equal(conslog_reopen(&l), 0);
	assert_int_equal(conslog_write(&l, "ur\n", 3), 0);
	s = strip_ts(p("ro.log"));
	assert_string_equal(s, "three\nfour\n");
	free(s);
	/* Reopen failing (a directory now sits there): old fd kept. */
	assert_int_equal(rename(p("ro.log"), p("ro.log.x")), 0);
	assert_int_equal(mkdir(p("ro.log"), 0700), 0);
	assert_int_equal(conslog_reopen(&l), -1);
	assert_true(l.fd >= 0);
	assert_int_equal(conslog_write(&l, "five\n", 5), 0);
	assert_true(l.lost == 0);
	conslog_close(&l);
	s = strip_ts(p("ro.log.x"));
	assert_string_equal(s, "three\nfour\nfive\n");
	free(s);
}

static void
test_write_errors(void **state)
{
	struct conslog_opts o = opts(0, 0, 0, 0);
	struct rlimit old, rl;
	unsigned char buf[5000], *b;
	struct conslog l;
	size_t n;
	char want[64];

	(void)state;
	memset(buf, 'z', sizeof(buf));
	signal(SIGXFSZ, SIG_IGN);	/* EFBIG instead of a signal */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(conslog_open(&l, p("err.log"), &o), 0);
	assert_int_equal(conslog_write(&l, "ok\n", 3), 0);
	rl = old;
	rl.rlim_cur = 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	/* 997 bytes fit, the rest is lost: counted, never blocking. */
	assert_int_equal(conslog_write(&l, buf, 3000), 0);
	assert_int_equal(conslog_write(&l, buf, 2000), 0);
	assert_true(l.written == 3 + 997);
	assert_true(l.lost == 4003 && l.lost_pending == 4003);
	assert_true(l.written + l.lost == 5003);
	/* A note cannot go out either. */
	assert_int_equal(conslog_note(&l, "x"), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	/* Writing works again: the count comes first, on its own line. */
	assert_int_equal(conslog_write(&l, "back\n", 5), 0);
	assert_true(l.lost_pending == 0 && l.lost == 4003);
	conslog_close(&l);
	b = slurp(p("err.log"), &n);
	snprintf(want, sizeof(want), "\n[consoled: 4003 bytes lost]\nback\n");
	assert_int_equal(n, 1000 + strlen(want));
	assert_memory_equal(b + 1000, want, strlen(want));
	free(b);

	/* With timestamps the lost count is guest bytes only. */
	o.timestamps = 1;
	assert_int_equal(conslog_open(&l, p("err-ts.log"), &o), 0);
	rl.rlim_cur = 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	for (n = 0; n < 50; n++)
		assert_int_equal(conslog_write(&l, "0123456789\n", 11), 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_true(l.written + l.lost == 550);
	/* 100 bytes out: 3 lines of 22 + 11 = 99, and one timestamp byte. */
	assert_true(l.written == 33 && l.lost == 517);
	conslog_close(&l);
	signal(SIGXFSZ, SIG_DFL);
}

static void
test_closed_log_counts_lost(void **state)
{
	struct conslog l;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.fd = -1;
	assert_int_equal(conslog_write(&l, "abc", 3), 0);
	assert_true(l.lost == 3 && l.lost_pending == 3);
	assert_int_equal(conslog_note(&l, "x"), -1);
	assert_int_equal(conslog_reopen(&l), -1);
}

static void
test_safe_name(void **state)
{
	static const struct {
		const char *in, *out;
	} c[] = {
		{ "guest1", "guest1" },
		{ "My-VM_2.test", "My-VM_2.test" },
		{ "a/b", "a_b" },
		{ "../../etc/passwd", "_._.._etc_passwd" },
		{ ".hidden", "_hidden" },
		{ ".", "_" },
		{ "..", "_." },
		{ "sp ace\ttab\n", "sp_ace_tab_" },
		{ "caf\xc3\xa9", "caf__" },
		{ "", "unnamed" },
		{ "\x1b[31m", "__31m" },
	};
	char buf[64];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		assert_string_equal(conslog_safe_name(buf, sizeof(buf), c[i].in),
		    c[i].out);
	assert_string_equal(conslog_safe_name(buf, sizeof(buf), NULL),
	    "unnamed");
	/* Truncated to dstlen - 1. */
	assert_string_equal(conslog_safe_name(buf, 5, "abcdefgh"), "abcd");
	assert_string_equal(conslog_safe_name(buf, 4, ""), "unn");
	assert_string_equal(conslog_safe_name(buf, 1, "abc"), "");
	buf[0] = 'Q';
	assert_ptr_equal(conslog_safe_name(buf, 0, "abc"), buf);
	assert_int_equal(buf[0], 'Q');
}

static void
test_flood_speed(void **state)
{
	struct conslog_opts o = opts(16 << 20, 2, 1, 0);
	struct timespec t0, t1;
	unsigned char *in;
	size_t total = 32 << 20, off;
	struct conslog l;
	double s;

	(void)state;
	in = malloc(2048);
	assert_non_null(in);
	fill_random(in, 2048, 80);
	assert_int_equal(conslog_open(&l, p("flood.log"), &o), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (off = 0; off < total; off += 2048)
		assert_int_equal(conslog_write(&l, in, 2048), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(l.written == total && l.lost == 0);
	assert_true(l.rotations >= 2);
	conslog_close(&l);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("32 MiB in 2 KiB writes, timestamps on: %.2f s "
	    "(%.0f MiB/s, ASan build)\n", s, 32 / s);
	/* Generous even for a sanitizer build on a slow box. */
	assert_true(s < 30);
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_sanitise),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_rotation_exact),
		cmocka_unit_test(test_rotation_keep),
		cmocka_unit_test(test_rotation_sanitised_timestamps),
		cmocka_unit_test(test_rotation_line_boundary),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_no_forged_notes),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_closed_log_counts_lost),
		cmocka_unit_test(test_safe_name),
		cmocka_unit_test(test_flood_speed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
