/*
 * attach.c - consoled-attach: connect to a console's attach socket
 * (<sockdir>/d<domid>.<num>, see readers.h) and copy bytes both ways.
 *
 * The daemon sends the scrollback, then live output, and never waits for
 * us (a client that falls behind gets a drop marker), so this program only
 * has to be a correct byte pump:
 *  - output is written fully to stdout; while stdout does not take it we
 *    stop reading the socket and let the daemon's per-client queue do the
 *    rest (back-pressure belongs to the daemon, not to us);
 *  - stdin goes to the socket in order; when stdin is a terminal it is in
 *    raw mode (cfmakeraw, as xenconsole does) and the escape character
 *    (^] by default, like xl console) detaches;
 *  - when stdin is not a terminal its bytes are sent until EOF and output
 *    is read on until the daemon closes the socket or a signal arrives;
 *    we never half-close the socket, so the daemon cannot mistake the end
 *    of our input for the end of the session;
 *  - the terminal is restored on every way out: normal end, error, and
 *    SIGINT/SIGTERM/SIGHUP/SIGQUIT (caught through a self-pipe so that
 *    poll() cannot miss one).
 *
 * Plain C11 + POSIX; libxenstore only to turn a domain name into an id.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <xenstore.h>

#define PROG		"consoled-attach"
#define SOCKDIR		"/run/consoled"		/* consoled -s default */
#define ESC_DEFAULT	0x1d			/* ^], as xl console */
#define BUFSZ		(64 * 1024)
/* Domain ids at or above this are reserved (xen/include/public/xen.h). */
#define DOMID_FIRST_RESERVED 0x7ff0U
/* What consoled sends to a client it refuses, then EOF (readers.c). */
#define REFUSED_LINE	"[consoled: too many clients]\r\n"
#define REFUSED_LEN	(sizeof(REFUSED_LINE) - 1)

static struct termios	 saved_tio;
static bool		 tio_saved;
static int		 sigpipe_w = -1;	/* self-pipe, write end */

/* Put stdin's terminal back as we found it.  Safe to call twice. */
static void
restore_tty(void)
{
	if (tio_saved) {
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		tio_saved = false;
	}
}

/*
 * Restore the terminal first (a message printed in raw mode would come
 * out staircased), then print "consoled-attach: msg[: strerror]" and
 * exit with status 1.
 */
static void __attribute__((noreturn, format(printf, 2, 3)))
die(int errnum, const char *fmt, ...)
{
	va_list ap;

	restore_tty();
	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errnum != 0)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-hr] [-e char] [-n num] [-s dir] domain\n",
	    PROG);
	exit(1);
}

/*
 * Copy s into dst (size len) with bytes other than printable ASCII shown
 * as \xNN, so a name taken from the command line or xenstore cannot put
 * escape sequences on the user's terminal.  Returns dst.
 */
static const char *
escape(char *dst, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, len - o, "\\x%02x", c);
	}
	dst[o] = '\0';
	return dst;
}

/*
 * Parse a decimal number in [0, max] (no sign, no spaces, no junk).
 * Returns 0 or -1.
 */
static int
parse_num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * The -e argument: "none" (returns -1: no escape), a single character, or
 * caret notation "^X" (X in @A-Z[\]^_ or a-z, or ? for DEL).  Returns the
 * byte, -1 for none, or exits on a bad value.
 */
static int
parse_escape(const char *s)
{
	if (strcmp(s, "none") == 0)
		return -1;
	if (s[0] != '\0' && s[1] == '\0')
		return (unsigned char)s[0];
	if (s[0] == '^' && s[1] != '\0' && s[2] == '\0') {
		int c = (unsigned char)s[1];

		if (c == '?')
			return 0x7f;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c >= '@' && c <= '_')
			return c & 0x1f;
	}
	die(0, "-e %s: expected one character, ^X or \"none\"", s);
}

/*
 * Turn the domain argument into an id: all digits is the id itself (no
 * xenstore needed, so this works for unprivileged users with access to
 * the socket); anything else is looked up as /local/domain/<id>/name, the
 * key the toolstack writes and consoled names its logs after.
 */
static unsigned int
resolve_domain(const char *arg)
{
	struct xs_handle *xs;
	char **ids, path[64], esc[256];
	unsigned int n, i, found = 0;
	unsigned long id;
	bool match = false;

	if (arg[strspn(arg, "0123456789")] == '\0') {
		if (parse_num(arg, DOMID_FIRST_RESERVED - 1, &id) == -1)
			die(0, "domain %s: not a valid domain id (0 to %u)",
			    escape(esc, sizeof(esc), arg),
			    DOMID_FIRST_RESERVED - 1);
		return (unsigned int)id;
	}
	if ((xs = xs_open(0)) == NULL)
		die(errno, "domain \"%s\": cannot open xenstore to look up "
		    "the name", escape(esc, sizeof(esc), arg));
	ids = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	if (ids == NULL) {
		int e = errno;

		xs_close(xs);
		die(e, "domain \"%s\": cannot read /local/domain",
		    escape(esc, sizeof(esc), arg));
	}
	for (i = 0; i < n; i++) {
		char *name;
		unsigned int len;

		if (parse_num(ids[i], DOMID_FIRST_RESERVED - 1, &id) == -1)
			continue;
		snprintf(path, sizeof(path), "/local/domain/%s/name", ids[i]);
		/* A domain may go away between the listing and this read. */
		if ((name = xs_read(xs, XBT_NULL, path, &len)) == NULL)
			continue;
		if (strlen(name) == len && strcmp(name, arg) == 0) {
			if (match) {
				free(name);
				free(ids);
				xs_close(xs);
				die(0, "domain \"%s\": the name of domains %u "
				    "and %lu; give the id",
				    escape(esc, sizeof(esc), arg), found, id);
			}
			match = true;
			found = (unsigned int)id;
		}
		free(name);
	}
	free(ids);
	xs_close(xs);
	if (!match)
		die(0, "domain \"%s\": no such domain (no "
		    "/local/domain/<id>/name has that value)",
		    escape(esc, sizeof(esc), arg));
	return found;
}

/* Connect to path; returns the socket (non-blocking) or exits. */
static int
connect_socket(const char *path, unsigned int domid, unsigned int num)
{
	struct sockaddr_un sun;
	int s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die(0, "%s: socket path too long (at most %zu bytes)", path,
		    sizeof(sun.sun_path) - 1);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die(errno, "%s: socket", path);
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;

		if (e == ENOENT || e == ECONNREFUSED)
			die(e, "connect %s (is consoled running, and does "
			    "domain %u have console %u?)", path, domid, num);
		die(e, "connect %s", path);
	}
	if (fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK) == -1)
		die(errno, "%s: fcntl", path);
	return s;
}

/* Async-signal-safe: wake the poll loop, which restores and exits. */
static void
on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (write(sigpipe_w, &b, 1) == -1) {
		/* Pipe full: a wake-up is already pending. */
	}
	errno = saved;
}

/*
 * Catch the signals that end us.  No SA_RESTART: a write to a blocked
 * stdout is interrupted so the signal is seen at once.  SIGPIPE is
 * ignored: EPIPE is handled where it happens.
 */
static int
setup_signals(void)
{
	struct sigaction sa;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	int p[2];
	size_t i;

	if (pipe(p) == -1)
		die(errno, "pipe");
	for (i = 0; i < 2; i++)
		if (fcntl(p[i], F_SETFD, FD_CLOEXEC) == -1 ||
		    fcntl(p[i], F_SETFL, O_NONBLOCK) == -1)
			die(errno, "fcntl");
	sigpipe_w = p[1];
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			die(errno, "sigaction");
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		die(errno, "sigaction");
	return p[0];
}

/* Raw mode on stdin's terminal (restored by restore_tty()). */
static void
raw_tty(void)
{
	struct termios tio;

	if (tcgetattr(STDIN_FILENO, &saved_tio) == -1)
		die(errno, "tcgetattr");
	tio = saved_tio;
	cfmakeraw(&tio);
	tio_saved = true;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == -1)
		die(errno, "tcsetattr");
}

/*
 * Write what obuf holds at *off (*len bytes) to stdout, once; advance.
 * Returns 0, or -1 when stdout's reader has gone (EPIPE).  Exits on
 * other errors.
 */
static int
out_write(const char *path, const unsigned char *obuf, size_t *off,
    size_t *len)
{
	ssize_t w = write(STDOUT_FILENO, obuf + *off, *len);

	if (w == -1 && errno == EPIPE)
		return -1;
	if (w == -1 && errno != EINTR && errno != EAGAIN)
		die(errno, "%s: writing stdout", path);
	if (w > 0) {
		*off += (size_t)w;
		*len -= (size_t)w;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static unsigned char obuf[BUFSZ], ibuf[BUFSZ];
	char path[PATH_MAX];
	const char *sockdir = SOCKDIR;
	struct pollfd pfd[4];
	size_t olen = 0, ooff = 0, ilen = 0, ioff = 0;
	unsigned long long total = 0;
	unsigned long num = 0;
	unsigned int domid;
	int ch, fd, s, sigr, escape_char = ESC_DEFAULT;
	bool readonly = false, tty, in_open, refused = true;

	while ((ch = getopt(argc, argv, "e:hn:rs:")) != -1) {
		switch (ch) {
		case 'e':
			escape_char = parse_escape(optarg);
			break;
		case 'n':
			if (parse_num(optarg, INT_MAX, &num) == -1)
				die(0, "-n %s: expected a console number "
				    "(0 = primary)", optarg);
			break;
		case 'r':
			readonly = true;
			break;
		case 's':
			sockdir = optarg;
			break;
		case 'h':
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	/* Keep our sockets off fds 0-2 if we were started without them. */
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= STDERR_FILENO)
		;
	if (fd > STDERR_FILENO)
		close(fd);
	domid = resolve_domain(argv[optind]);
	if ((size_t)snprintf(path, sizeof(path), "%s/d%u.%lu", sockdir, domid,
	    num) >= sizeof(path))
		die(0, "%s/d%u.%lu: path too long", sockdir, domid, num);

	sigr = setup_signals();
	s = connect_socket(path, domid, (unsigned int)num);
	tty = isatty(STDIN_FILENO);
	/*
	 * A terminal is read only to forward keys or to see the escape
	 * character; with -r and no escape there is nothing to read, so the
	 * terminal stays cooked and ^C ends us as usual.
	 */
	in_open = !(readonly && (!tty || escape_char == -1));
	if (tty && in_open)
		raw_tty();
	atexit(restore_tty);

	for (;;) {
		nfds_t n = 0;
		int in_i = -1, out_i = -1, s_i;

		pfd[n].fd = sigr;
		pfd[n++].events = POLLIN;
		s_i = n;
		/*
		 * Back-pressure: no socket read while stdout holds data (the
		 * socket is left out entirely then, or its POLLHUP at the
		 * daemon's EOF would spin us).
		 */
		pfd[n].fd = olen == 0 || ilen > 0 ? s : -1;
		pfd[n].events = (olen == 0 ? POLLIN : 0) |
		    (ilen > 0 ? POLLOUT : 0);
		n++;
		if (olen > 0) {
			out_i = n;
			pfd[n].fd = STDOUT_FILENO;
			pfd[n++].events = POLLOUT;
		}
		if (in_open && ilen == 0) {
			in_i = n;
			pfd[n].fd = STDIN_FILENO;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, -1) == -1) {
			if (errno == EINTR)
				continue;
			die(errno, "poll");
		}
		if (pfd[0].revents != 0)
			break;				/* a signal: done */

		/* Socket -> stdout, written fully before the next read. */
		if (out_i != -1 && pfd[out_i].revents != 0 &&
		    out_write(path, obuf, &ooff, &olen) == -1)
			break;				/* reader gone */
		if (olen == 0 && (pfd[s_i].revents & (POLLIN | POLLHUP |
		    POLLERR))) {
			ssize_t rd = read(s, obuf, sizeof(obuf));

			if (rd == 0 || (rd == -1 && errno == ECONNRESET))
				break;			/* daemon closed: EOF */
			if (rd == -1 && errno != EINTR && errno != EAGAIN)
				die(errno, "%s: read", path);
			if (rd > 0) {
				size_t k = (size_t)rd;

				/* Still looking like the refusal line? */
				if (refused && (total + k > REFUSED_LEN ||
				    memcmp(REFUSED_LINE + total, obuf, k) != 0))
					refused = false;
				total += k;
				ooff = 0;
				olen = k;
				/* Try at once: the common case needs no poll. */
				if (out_write(path, obuf, &ooff, &olen) == -1)
					break;
			}
		}

		/* stdin -> socket, in order. */
		if (in_i != -1 && pfd[in_i].revents != 0) {
			ssize_t rd = read(STDIN_FILENO, ibuf, sizeof(ibuf));

			if (rd == 0 || (rd == -1 && errno != EINTR &&
			    errno != EAGAIN)) {
				/* EOF (or a dead tty): keep reading output. */
				in_open = false;
				restore_tty();
			} else if (rd > 0) {
				unsigned char *e = NULL;

				if (tty && escape_char != -1)
					e = memchr(ibuf, escape_char,
					    (size_t)rd);
				if (e != NULL) {
					/*
					 * Keys typed before it in the same
					 * read: one try, we are leaving.
					 */
					if (!readonly && e > ibuf &&
					    write(s, ibuf, (size_t)(e -
					    ibuf)) == -1) {
						/* Nothing more to do. */
					}
					break;
				}
				if (!readonly) {
					ilen = (size_t)rd;
					ioff = 0;
				}
			}
		}
		if (ilen > 0) {
			ssize_t w = write(s, ibuf + ioff, ilen);

			if (w == -1 && (errno == EPIPE ||
			    errno == ECONNRESET)) {
				/* Closed for input: read what is left. */
				ilen = 0;
				in_open = false;
				restore_tty();
			} else if (w == -1 && errno != EINTR &&
			    errno != EAGAIN) {
				die(errno, "%s: write", path);
			} else if (w > 0) {
				ioff += (size_t)w;
				ilen -= (size_t)w;
			}
		}
	}
	restore_tty();
	/* All we ever got was the refusal line: say so, and fail. */
	if (refused && total == REFUSED_LEN) {
		fprintf(stderr, "%s: %s: consoled refused the connection "
		    "(too many clients on this console)\n", PROG, path);
		return 1;
	}
	return 0;
}
