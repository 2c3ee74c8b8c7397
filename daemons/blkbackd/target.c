/*
 * target.c - parse and open a vbd's "params" (see target.h).
 *
 * Parsing is strict on purpose: a typo in an xl disk line should fail that
 * disk at attach time with a message that says what is wrong, not connect
 * somewhere unexpected.  The NBD URI rules are from NetworkBlockDevice/nbd
 * doc/uri.md and RFC 3986; the legacy "nbd:" form is what QEMU's
 * nbd_parse_filename() accepts.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "target.h"

/* Room for an escaped params value in a message (err buffers are ~512). */
#define ESC_MAX		192
/* Longest params value looked at; every part has its own smaller limit. */
#define PARAMS_MAX	(PATH_MAX + 3 * TARGET_EXPORT_MAX + 64)

#define SUN_PATH_MAX	(sizeof(((struct sockaddr_un *)0)->sun_path))

struct perr {
	char		*buf;
	size_t		 len;
	char		 esc[ESC_MAX];	/* params, escaped */
};

/* Put "target "<params>": <reason>" into the error buffer; returns -1. */
static int
fail(struct perr *pe, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct perr *pe, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(pe->buf, pe->len, "target \"%s\": ", pe->esc);
	if (n >= 0 && (size_t)n < pe->len) {
		va_start(ap, fmt);
		vsnprintf(pe->buf + n, pe->len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	errno = err;
	return -1;
}

/* Escape s[0..n) for a message (parts of params are not NUL-terminated). */
static const char *
esc_part(char *dst, size_t dstlen, const char *s, size_t n)
{
	char tmp[ESC_MAX];

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return log_escape(dst, dstlen, tmp);
}

static bool
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Bytes that may stand unencoded in a URI (RFC 3986 2.2, 2.3, plus '%'
 * for escapes).  Anything else, including a space, must be written %XX.
 */
static bool
uri_char_ok(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL;
}

/*
 * Percent-decode s[0..n) into dst[dstlen].  A decoded NUL or control byte
 * is refused: export names may not hold NUL (uri.md) and a control byte
 * would end up in logs and in the worker's argument.
 */
static int
pct_decode(struct perr *pe, const char *what, const char *s, size_t n,
    char *dst, size_t dstlen)
{
	size_t i, o = 0;
	int hi, lo;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (n - i < 3 ||
			    (hi = parse_hexdigit((unsigned char)s[i + 1])) < 0 ||
			    (lo = parse_hexdigit((unsigned char)s[i + 2])) < 0)
				return fail(pe, EINVAL, "bad percent-encoding in "
				    "the %s (%% must be followed by two hex "
				    "digits)", what);
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
			if (c == '\0')
				return fail(pe, EINVAL, "the %s contains %%00 "
				    "(NUL)%s", what, strcmp(what, "socket path")
				    == 0 ? "; abstract sockets are not "
				    "supported" : "");
			if (is_ctl(c))
				return fail(pe, EINVAL, "the %s contains the "
				    "control byte %%%02X", what, c);
		}
		if (o + 1 >= dstlen)
			return fail(pe, ENAMETOOLONG, "the %s is longer than "
			    "%zu bytes", what, dstlen - 1);
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return 0;
}

/* Check a unix socket path (decoded) for what connect() will need. */
static int
check_socket_path(struct perr *pe, const char *path)
{
	char e[ESC_MAX];
	size_t n = strlen(path);

	if (n == 0)
		return fail(pe, EINVAL, "the socket path is empty");
	if (path[0] != '/')
		return fail(pe, EINVAL, "socket path \"%s\" is not absolute",
		    log_escape(e, sizeof(e), path));
	if (n >= SUN_PATH_MAX)
		return fail(pe, ENAMETOOLONG, "socket path is %zu bytes; a "
		    "unix socket address holds at most %zu", n,
		    SUN_PATH_MAX - 1);
	return 0;
}

/*
 * HOST[:PORT] (an RFC 3986 authority without user info).  HOST is a name,
 * an IPv4 address or a bracketed IPv6 literal (RFC 2732); PORT defaults
 * to 10809, and an empty PORT means the default too (RFC 3986 3.2.3).
 */
static int
parse_hostport(struct perr *pe, const char *s, size_t n, struct target *t)
{
	const char *h, *hend, *p = NULL, *end = s + n;
	char e[ESC_MAX];
	unsigned long port = 0;
	size_t hl, i;
	bool v6 = false;

	if (memchr(s, '@', n) != NULL)
		return fail(pe, EINVAL, "user info (USER@) is not supported: "
		    "NBD uses it only with TLS");
	if (n == 0)
		return fail(pe, EINVAL, "no host (write nbd://HOST/EXPORT, or "
		    "nbd+unix:///EXPORT?socket=PATH for a unix socket)");
	if (s[0] == '[') {
		h = s + 1;
		if ((hend = memchr(h, ']', (size_t)(end - h))) == NULL)
			return fail(pe, EINVAL, "\"[\" without \"]\" around an "
			    "IPv6 address");
		if (hend + 1 < end && hend[1] != ':')
			return fail(pe, EINVAL, "junk after \"]\": \"%s\"",
			    esc_part(e, sizeof(e), hend + 1,
			    (size_t)(end - hend - 1)));
		if (hend + 1 < end)
			p = hend + 2;
		v6 = true;
	} else {
		h = s;
		if ((hend = memchr(s, ':', n)) != NULL)
			p = hend + 1;
		else
			hend = end;
	}
	hl = (size_t)(hend - h);
	if (hl == 0)
		return fail(pe, EINVAL, "empty host name");
	if (hl >= sizeof(t->host))
		return fail(pe, ENAMETOOLONG, "the host name is longer than "
		    "%zu bytes", sizeof(t->host) - 1);
	for (i = 0; i < hl; i++) {
		unsigned char c = (unsigned char)h[i];
		bool ok;

		if (v6)
			ok = parse_hexdigit(c) >= 0 || c == ':' || c == '.';
		else
			ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			    c == '_';
		if (!ok)
			return fail(pe, EINVAL, "%s \"%s\" contains '%c'",
			    v6 ? "IPv6 address" : "host name",
			    esc_part(e, sizeof(e), h, hl), c);
	}
	if (v6 && memchr(h, ':', hl) == NULL)
		return fail(pe, EINVAL, "\"[%s]\" is not an IPv6 address",
		    esc_part(e, sizeof(e), h, hl));
	memcpy(t->host, h, hl);
	t->host[hl] = '\0';

	if (p == NULL || p == end) {
		snprintf(t->port, sizeof(t->port), "%s", TARGET_NBD_PORT);
		return 0;
	}
	for (i = 0; p + i < end; i++) {
		if (p[i] < '0' || p[i] > '9' || port > 65535)
			break;
		port = port * 10 + (unsigned long)(p[i] - '0');
	}
	if (p + i != end || port == 0 || port > 65535)
		return fail(pe, EINVAL, "port \"%s\" is not a number from 1 to "
		    "65535", esc_part(e, sizeof(e), p, (size_t)(end - p)));
	snprintf(t->port, sizeof(t->port), "%lu", port);
	return 0;
}

/*
 * The query of an NBD URI: '&'-separated KEY=VALUE.  Only socket= (for
 * nbd+unix) is understood; tls-* asks for TLS, which we do not do, and
 * uri.md wants other unknown parameters diagnosed.
 */
static int
parse_query(struct perr *pe, const char *q, bool is_unix, struct target *t)
{
	const char *seg, *amp, *eq;
	char e[ESC_MAX];
	size_t sl, kl;
	bool have_socket = false;

	for (seg = q; ; seg = amp + 1) {
		amp = strchr(seg, '&');
		sl = amp != NULL ? (size_t)(amp - seg) : strlen(seg);
		if (sl == 0)
			return fail(pe, EINVAL, "empty query parameter");
		if ((eq = memchr(seg, '=', sl)) == NULL)
			return fail(pe, EINVAL, "query parameter \"%s\" has no "
			    "value (KEY=VALUE)", esc_part(e, sizeof(e), seg, sl));
		kl = (size_t)(eq - seg);
		if (kl == 6 && strncmp(seg, "socket", 6) == 0) {
			if (!is_unix)
				return fail(pe, EINVAL, "socket= is only valid "
				    "in nbd+unix:// URIs");
			if (have_socket)
				return fail(pe, EINVAL, "socket= given twice");
			have_socket = true;
			if (pct_decode(pe, "socket path", eq + 1,
			    sl - kl - 1, t->path, sizeof(t->path)) == -1 ||
			    check_socket_path(pe, t->path) == -1)
				return -1;
		} else if (kl >= 4 && strncmp(seg, "tls-", 4) == 0) {
			return fail(pe, ENOTSUP, "TLS is not supported (query "
			    "parameter \"%s\")", esc_part(e, sizeof(e), seg, kl));
		} else {
			return fail(pe, EINVAL, "unknown query parameter \"%s\"",
			    esc_part(e, sizeof(e), seg, kl));
		}
		if (amp == NULL)
			break;
	}
	return 0;
}

/* nbd://... or nbd+unix://...; rest follows "://". */
static int
parse_uri(struct perr *pe, const char *rest, bool is_unix, struct target *t)
{
	const char *auth_end, *path_end, *p;
	size_t off;

	for (p = rest; *p != '\0'; p++) {
		if (uri_char_ok((unsigned char)*p))
			continue;
		off = (size_t)(p - rest);
		if ((unsigned char)*p >= 0x80)
			return fail(pe, EINVAL, "byte 0x%02x after \"://\" at "
			    "offset %zu is not allowed in a URI; percent-encode "
			    "it", (unsigned char)*p, off);
		return fail(pe, EINVAL, "'%c' after \"://\" at offset %zu is "
		    "not allowed in a URI; percent-encode it (%%%02X)", *p, off,
		    (unsigned char)*p);
	}
	if (strchr(rest, '#') != NULL)
		return fail(pe, EINVAL, "URI fragments (#...) are not allowed");

	t->kind = TARGET_NBD;
	t->nbd_unix = is_unix;
	auth_end = rest + strcspn(rest, "/?");
	path_end = auth_end + strcspn(auth_end, "?");

	if (is_unix) {
		/* uri.md leaves this to the client: a host here is a mistake. */
		if (auth_end != rest)
			return fail(pe, EINVAL, "nbd+unix URIs take no host "
			    "(write nbd+unix:///EXPORT?socket=PATH)");
	} else if (parse_hostport(pe, rest, (size_t)(auth_end - rest), t) == -1)
		return -1;

	/* The export name is the path less its leading '/' (uri.md). */
	if (path_end > auth_end && pct_decode(pe, "export name", auth_end + 1,
	    (size_t)(path_end - auth_end - 1), t->export_name,
	    sizeof(t->export_name)) == -1)
		return -1;

	if (*path_end == '?' && parse_query(pe, path_end + 1, is_unix, t) == -1)
		return -1;
	if (is_unix && t->path[0] == '\0')
		return fail(pe, EINVAL, "nbd+unix URI without ?socket=PATH");
	return 0;
}

/*
 * QEMU's legacy form: nbd:unix:PATH[:exportname=NAME] or
 * nbd:HOST[:PORT][:exportname=NAME].  Nothing is percent-decoded.
 */
static int
parse_legacy(struct perr *pe, const char *rest, struct target *t)
{
	static const char en[] = ":exportname=";
	const char *x, *end;
	size_t n;

	t->kind = TARGET_NBD;
	if ((x = strstr(rest, en)) != NULL) {
		if (strlen(x + sizeof(en) - 1) >= sizeof(t->export_name))
			return fail(pe, ENAMETOOLONG, "the export name is longer "
			    "than %zu bytes", sizeof(t->export_name) - 1);
		snprintf(t->export_name, sizeof(t->export_name), "%s",
		    x + sizeof(en) - 1);
		end = x;
	} else
		end = rest + strlen(rest);

	if (strncmp(rest, "unix:", 5) == 0) {
		t->nbd_unix = true;
		n = (size_t)(end - rest - 5);
		if (n >= sizeof(t->path))
			return fail(pe, ENAMETOOLONG, "the socket path is longer "
			    "than %zu bytes", sizeof(t->path) - 1);
		memcpy(t->path, rest + 5, n);
		t->path[n] = '\0';
		return check_socket_path(pe, t->path);
	}
	return parse_hostport(pe, rest, (size_t)(end - rest), t);
}

int
target_parse(const char *params, struct target *t, char *err, size_t errlen)
{
	struct perr pe;
	size_t i, n;

	memset(t, 0, sizeof(*t));
	pe.buf = err;
	pe.len = errlen;
	if (params == NULL)
		params = "";
	log_escape(pe.esc, sizeof(pe.esc), params);

	if ((n = strnlen(params, PARAMS_MAX + 1)) == 0)
		return fail(&pe, EINVAL, "empty");
	if (n > PARAMS_MAX)
		return fail(&pe, ENAMETOOLONG, "longer than %d bytes",
		    PARAMS_MAX);
	/* Names and URIs never need them; they would only confuse logs. */
	for (i = 0; i < n; i++)
		if (is_ctl((unsigned char)params[i]))
			return fail(&pe, EINVAL, "control byte 0x%02x at offset "
			    "%zu", (unsigned char)params[i], i);

	if (params[0] == '/') {
		if (n >= sizeof(t->path))
			return fail(&pe, ENAMETOOLONG, "the path is longer than "
			    "%zu bytes", sizeof(t->path) - 1);
		t->kind = TARGET_FILE;
		memcpy(t->path, params, n + 1);
		return 0;
	}
	/* URI schemes are case-insensitive (RFC 3986 3.1). */
	if (strncasecmp(params, "nbd://", 6) == 0)
		return parse_uri(&pe, params + 6, false, t);
	if (strncasecmp(params, "nbd+unix://", 11) == 0)
		return parse_uri(&pe, params + 11, true, t);
	if (strncasecmp(params, "nbds://", 7) == 0 ||
	    strncasecmp(params, "nbds+unix://", 12) == 0)
		return fail(&pe, ENOTSUP, "TLS NBD URIs are not supported");
	if (strncasecmp(params, "nbd+vsock://", 12) == 0 ||
	    strncasecmp(params, "nbds+vsock://", 13) == 0)
		return fail(&pe, ENOTSUP, "vsock NBD URIs are not supported");
	if (strncmp(params, "nbd:", 4) == 0)
		return parse_legacy(&pe, params + 4, t);
	return fail(&pe, EINVAL, "not an absolute path or an NBD URI "
	    "(nbd://HOST[:PORT]/EXPORT, nbd+unix:///EXPORT?socket=PATH)");
}

/* ---- opening ---- */

/*
 * A file or block device.  O_NONBLOCK so that a FIFO or an odd device
 * cannot hang the parent in open(); then only regular files and block
 * devices are accepted and the fd is made blocking again.
 */
static int
open_file(const char *path, bool writable, const char *esc, char *err,
    size_t errlen)
{
	struct stat st;
	int fd, flags;

	flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK;
	if ((fd = open(path, flags)) == -1) {
		snprintf(err, errlen, "cannot open %s (%s): %s", esc,
		    writable ? "read-write" : "read-only", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || (!S_ISREG(st.st_mode) &&
	    !S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "%s is not a regular file or a block "
		    "device", esc);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		snprintf(err, errlen, "fcntl %s: %s", esc, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Connect the non-blocking socket s by deadline (CLOCK_MONOTONIC ms), then
 * make it blocking.  A unix socket whose listen queue is full fails with
 * EAGAIN instead of EINPROGRESS: retried until the deadline.
 */
static int
connect_by(int s, const struct sockaddr *sa, socklen_t salen,
    long long deadline)
{
	struct pollfd pfd;
	socklen_t sl;
	long long left;
	int flags, soerr, r;

	for (;;) {
		if (connect(s, sa, salen) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			if (now_ms() >= deadline) {
				errno = ETIMEDOUT;
				return -1;
			}
			usleep(20 * 1000);
			continue;
		}
		if (errno != EINPROGRESS)
			return -1;
		pfd.fd = s;
		pfd.events = POLLOUT;
		for (;;) {
			if ((left = deadline - now_ms()) <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			r = poll(&pfd, 1, (int)left);
			if (r == -1 && errno == EINTR)
				continue;
			if (r == -1)
				return -1;
			if (r == 1)
				break;
		}
		sl = sizeof(soerr);
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			return -1;
		if (soerr != 0) {
			errno = soerr;
			return -1;
		}
		break;
	}
	if ((flags = fcntl(s, F_GETFL)) == -1 ||
	    fcntl(s, F_SETFL, flags & ~O_NONBLOCK) == -1)
		return -1;
	return 0;
}

static int
open_nbd_unix(const struct target *t, const char *esc, char *err,
    size_t errlen)
{
	struct sockaddr_un sun;
	int s, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(t->path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", esc);
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, t->path, strlen(t->path) + 1);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect_by(s, (struct sockaddr *)&sun, sizeof(sun),
	    now_ms() + TARGET_CONNECT_MS) == -1) {
		saved = errno;
		snprintf(err, errlen, "cannot connect to the NBD server at %s: "
		    "%s", esc, strerror(saved));
		close(s);
		errno = saved;
		return -1;
	}
	return s;
}

/*
 * Every address of the host in turn, within one TARGET_CONNECT_MS budget.
 * getaddrinfo() may block on DNS; a numeric address does not.
 */
static int
open_nbd_tcp(const struct target *t, const char *esc, char *err,
    size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	long long deadline;
	int s = -1, r, saved = ECONNREFUSED, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	if ((r = getaddrinfo(t->host, t->port, &hints, &res)) != 0) {
		snprintf(err, errlen, "cannot resolve the NBD server of %s: %s",
		    esc, r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		errno = r == EAI_SYSTEM ? errno : EHOSTUNREACH;
		return -1;
	}
	deadline = now_ms() + TARGET_CONNECT_MS;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (s == -1) {
			saved = errno;
			continue;
		}
		if (connect_by(s, ai->ai_addr, ai->ai_addrlen, deadline) == 0)
			break;
		saved = errno;
		close(s);
		s = -1;
		if (saved == ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (s == -1) {
		snprintf(err, errlen, "cannot connect to the NBD server at %s: "
		    "%s", esc, strerror(saved));
		errno = saved;
		return -1;
	}
	/* Requests are small and latency-bound; libnbd does this for its own TCP connects. */
	(void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return s;
}

int
target_open(const struct target *t, bool writable, char *err, size_t errlen)
{
	char esc[ESC_MAX + 64], p[ESC_MAX];
	bool v6;

	/* The parts came through xenstore: escape them before logging. */
	switch (t->kind) {
	case TARGET_FILE:
		log_escape(esc, sizeof(esc), t->path);
		return open_file(t->path, writable, esc, err, errlen);
	case TARGET_NBD:
		if (t->nbd_unix) {
			snprintf(esc, sizeof(esc), "unix socket %s",
			    log_escape(p, sizeof(p), t->path));
			return open_nbd_unix(t, esc, err, errlen);
		}
		v6 = strchr(t->host, ':') != NULL;
		snprintf(esc, sizeof(esc), "%s%s%s:%s", v6 ? "[" : "",
		    log_escape(p, sizeof(p), t->host), v6 ? "]" : "", t->port);
		return open_nbd_tcp(t, esc, err, errlen);
	}
	snprintf(err, errlen, "unknown target kind %d", (int)t->kind);
	errno = EINVAL;
	return -1;
}

int
target_store_arg(const struct target *t, char *buf, size_t len)
{
	int n;

	if (t->kind == TARGET_NBD)
		n = snprintf(buf, len, "nbd:%s", t->export_name);
	else
		n = snprintf(buf, len, "raw");
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return n;
}

char *
target_describe(const struct target *t, char *buf, size_t len)
{
	char a[ESC_MAX], b[ESC_MAX];

	if (t->kind == TARGET_FILE) {
		snprintf(buf, len, "file %s", log_escape(a, sizeof(a), t->path));
		return buf;
	}
	log_escape(b, sizeof(b), t->export_name);
	if (t->nbd_unix)
		snprintf(buf, len, "nbd unix:%s export \"%s\"",
		    log_escape(a, sizeof(a), t->path), b);
	else
		snprintf(buf, len, "nbd %s%s%s:%s export \"%s\"",
		    strchr(t->host, ':') != NULL ? "[" : "",
		    log_escape(a, sizeof(a), t->host),
		    strchr(t->host, ':') != NULL ? "]" : "", t->port, b);
	return buf;
}
