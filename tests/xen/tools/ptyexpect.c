/*
 * ptyexpect - run a command on a new pty and drive it with scripted input:
 * a small expect(1) for the test bed, where `xl console` and `xl create -c`
 * want a terminal (xenconsole puts its stdin into raw mode and refuses
 * to run without one).
 *
 *	ptyexpect [-v] [-t secs] [-o file] step... -- command [arg...]
 *
 * Steps, run in order:
 *	-w text	wait until the output after the previous match contains text
 *	-s text	send text; C escapes: \r \n \t \e \\ \xHH \NNN (octal),
 *		so ^] (xenconsole's detach key) is \x1d
 *	-p secs	pause (fractions allowed), reading output meanwhile
 *	-e	wait for the command to exit; a non-zero status fails
 *
 * -t is the deadline of the whole run (default 30 s), -o a file that gets
 * every byte the command printed, as read from the pty master, -v prints
 * each step with its time on stderr.  After the last step a command that
 * is still running gets SIGHUP (its terminal goes away), then SIGKILL.
 *
 * Exit status: 0 every step passed; 1 a wait timed out (the deadline);
 * 2 the command ended before a wait matched; 3 usage or system error;
 * 4 the command of -e exited non-zero or was killed.  The reason, with
 * the tail of the output, goes to stderr.
 *
 * Built by tests/xen/build.sh for dom0 (libc only).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum { EX_OK, EX_TIMEOUT, EX_EOF, EX_ERR, EX_STATUS };

struct step {
	char	 op;		/* 'w', 's', 'p', 'e' */
	char	*arg;		/* as given */
	char	*data;		/* -s: unescaped bytes; -w: the text */
	size_t	 len;
};

static int	 verbose;
static double	 t0;
static int	 master = -1;
static pid_t	 child = -1;
static int	 child_done;	/* reaped: status in child_status */
static int	 child_status;
static int	 out_eof;	/* the master reported EOF/EIO */
static FILE	*outf;
static char	*buf;		/* everything read so far */
static size_t	 buflen, bufcap;
static size_t	 mark;		/* a wait searches buf[mark..] */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
vsay(const char *fmt, va_list ap)
{
	fprintf(stderr, "ptyexpect: [%.2f] ", now() - t0);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

static void
trace(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

/* The last n bytes of output, control bytes shown as \xHH, for messages. */
static void
show_tail(size_t n)
{
	size_t i = buflen > n ? buflen - n : 0;

	fprintf(stderr, "ptyexpect: last %zu bytes of output: '", buflen - i);
	for (; i < buflen; i++) {
		unsigned char c = buf[i];

		if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\r')
			fputs("\\r", stderr);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputs("'\n", stderr);
}

static void
usage(void)
{
	fprintf(stderr, "usage: ptyexpect [-v] [-t secs] [-o file] "
	    "[-w text | -s text | -p secs | -e]... -- command [arg...]\n");
	exit(EX_ERR);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescape s into a new buffer; *lenp gets its length (NUL bytes allowed). */
static char *
unescape(const char *s, size_t *lenp)
{
	char *d = malloc(strlen(s) + 1);
	size_t n = 0;
	int v, k;

	if (d == NULL) {
		perror("ptyexpect: malloc");
		exit(EX_ERR);
	}
	while (*s != '\0') {
		if (*s != '\\' || s[1] == '\0') {
			d[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'r': d[n++] = '\r'; s++; break;
		case 'n': d[n++] = '\n'; s++; break;
		case 't': d[n++] = '\t'; s++; break;
		case 'e': d[n++] = 0x1b; s++; break;
		case 'x':
			s++;
			for (v = 0, k = 0; k < 2 && hexval(*s) >= 0; k++, s++)
				v = v * 16 + hexval(*s);
			if (k == 0) {
				fprintf(stderr, "ptyexpect: \\x without hex digits\n");
				exit(EX_ERR);
			}
			d[n++] = (char)v;
			break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7':
			for (v = 0, k = 0; k < 3 && *s >= '0' && *s <= '7'; k++, s++)
				v = v * 8 + (*s - '0');
			d[n++] = (char)v;
			break;
		default:
			d[n++] = *s++;	/* \\ and any other char: itself */
			break;
		}
	}
	*lenp = n;
	return d;
}

/* Reap the command if it has exited. */
static void
reap(int block)
{
	int st;

	if (child_done || child < 0)
		return;
	if (waitpid(child, &st, block ? 0 : WNOHANG) == child) {
		child_done = 1;
		child_status = st;
		if (WIFEXITED(st))
			trace("command exited with status %d", WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			trace("command killed by signal %d", WTERMSIG(st));
	}
}

/*
 * Read what the command printed for up to `wait` seconds (0: only what is
 * there).  Returns 0, or -1 once the pty reports EOF (every slave fd
 * closed: the command and its children are gone).
 */
static int
pump(double wait)
{
	struct pollfd pfd = { .fd = master, .events = POLLIN };
	char tmp[65536];
	ssize_t r;
	int ms = wait > 0 ? (int)(wait * 1000) + 1 : 0;

	if (out_eof)
		return -1;
	for (;;) {
		int n = poll(&pfd, 1, ms);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		r = read(master, tmp, sizeof(tmp));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {		/* EIO: the slave side is closed */
			out_eof = 1;
			reap(0);
			return -1;
		}
		if (buflen + (size_t)r > bufcap) {
			bufcap = (buflen + (size_t)r) * 2;
			if ((buf = realloc(buf, bufcap)) == NULL) {
				perror("ptyexpect: realloc");
				exit(EX_ERR);
			}
		}
		memcpy(buf + buflen, tmp, (size_t)r);
		buflen += (size_t)r;
		if (outf != NULL) {
			fwrite(tmp, 1, (size_t)r, outf);
			fflush(outf);
		}
		ms = 0;		/* drain what is there, then return */
	}
}

static char *
find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	size_t i;

	if (nlen == 0)
		return (char *)(uintptr_t)hay;
	for (i = 0; i + nlen <= hlen; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return (char *)(uintptr_t)(hay + i);
	return NULL;
}

static void
finish(int code)
{
	if (child > 0 && !child_done) {
		/* as when a terminal goes away: SIGHUP, then SIGKILL */
		kill(child, SIGHUP);
		for (int i = 0; i < 20 && !child_done; i++) {
			pump(0.05);
			reap(0);
		}
		if (!child_done) {
			kill(child, SIGKILL);
			reap(1);
		}
	}
	if (outf != NULL)
		fclose(outf);
	exit(code);
}

static pid_t
spawn(char **argv)
{
	struct winsize ws = { .ws_row = 25, .ws_col = 80 };
	char *slave;
	pid_t pid;
	int fd;

	if ((master = posix_openpt(O_RDWR | O_NOCTTY)) < 0 ||
	    grantpt(master) < 0 || unlockpt(master) < 0 ||
	    (slave = ptsname(master)) == NULL) {
		perror("ptyexpect: pty");
		exit(EX_ERR);
	}
	if ((pid = fork()) < 0) {
		perror("ptyexpect: fork");
		exit(EX_ERR);
	}
	if (pid == 0) {
		setsid();
		if ((fd = open(slave, O_RDWR)) < 0) {
			perror("ptyexpect: open slave");
			_exit(127);
		}
		ioctl(fd, TIOCSCTTY, 0);	/* a controlling tty, as a login has */
		ioctl(fd, TIOCSWINSZ, &ws);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		close(master);
		execvp(argv[0], argv);
		fprintf(stderr, "ptyexpect: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	fcntl(master, F_SETFD, FD_CLOEXEC);
	return pid;
}

int
main(int argc, char **argv)
{
	struct step *steps;
	double timeout = 30, deadline;
	const char *outpath = NULL;
	int nsteps = 0, i;

	t0 = now();
	signal(SIGPIPE, SIG_IGN);
	if ((steps = calloc((size_t)argc, sizeof(*steps))) == NULL)
		return EX_ERR;
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0' || a[2] != '\0')
			usage();
		switch (a[1]) {
		case 'v':
			verbose = 1;
			continue;
		case 'e':
			steps[nsteps++].op = 'e';
			continue;
		case 't': case 'o': case 'w': case 's': case 'p':
			break;
		default:
			usage();
		}
		if (++i >= argc)
			usage();
		switch (a[1]) {
		case 't':
			timeout = atof(argv[i]);
			break;
		case 'o':
			outpath = argv[i];
			break;
		default:
			steps[nsteps].op = a[1];
			steps[nsteps].arg = argv[i];
			if (a[1] == 's' || a[1] == 'w')
				steps[nsteps].data = unescape(argv[i], &steps[nsteps].len);
			nsteps++;
		}
	}
	if (i >= argc)
		usage();
	if (outpath != NULL && (outf = fopen(outpath, "w")) == NULL) {
		fprintf(stderr, "ptyexpect: %s: %s\n", outpath, strerror(errno));
		return EX_ERR;
	}
	deadline = t0 + timeout;
	child = spawn(argv + i);
	trace("started %s (pid %d), deadline %.0fs", argv[i], (int)child, timeout);

	for (int s = 0; s < nsteps; s++) {
		struct step *st = &steps[s];
		char *hit;
		double end;

		switch (st->op) {
		case 'w':
			trace("step %d: wait for '%s'", s + 1, st->arg);
			for (;;) {
				hit = find(buf + mark, buflen - mark, st->data, st->len);
				if (hit != NULL) {
					mark = (size_t)(hit - buf) + st->len;
					break;
				}
				if (now() >= deadline) {
					say("step %d (-w '%s'): not seen within %.0fs", s + 1,
					    st->arg, timeout);
					show_tail(300);
					finish(EX_TIMEOUT);
				}
				if (pump(deadline - now()) < 0 &&
				    find(buf + mark, buflen - mark, st->data, st->len) == NULL) {
					say("step %d (-w '%s'): the command ended first", s + 1,
					    st->arg);
					show_tail(300);
					reap(1);
					if (WIFEXITED(child_status))
						say("command exited with status %d",
						    WEXITSTATUS(child_status));
					else if (WIFSIGNALED(child_status))
						say("command killed by signal %d",
						    WTERMSIG(child_status));
					finish(EX_EOF);
				}
			}
			trace("step %d: seen '%s'", s + 1, st->arg);
			break;
		case 's':
			pump(0);
			trace("step %d: send '%s'", s + 1, st->arg);
			for (size_t off = 0; off < st->len; ) {
				ssize_t w = write(master, st->data + off, st->len - off);

				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0 && errno == EAGAIN) {
					pump(0.01);
					continue;
				}
				if (w <= 0) {
					say("step %d (-s '%s'): write: %s", s + 1, st->arg,
					    strerror(errno));
					finish(EX_EOF);
				}
				off += (size_t)w;
			}
			break;
		case 'p':
			trace("step %d: pause %s s", s + 1, st->arg);
			end = now() + atof(st->arg);
			while (now() < end && pump(end - now()) == 0)
				;
			break;
		case 'e':
			trace("step %d: wait for the command to exit", s + 1);
			for (;;) {
				reap(0);
				if (child_done)
					break;
				if (now() >= deadline) {
					say("step %d (-e): the command still runs after %.0fs",
					    s + 1, timeout);
					show_tail(300);
					finish(EX_TIMEOUT);
				}
				if (pump(0.1) < 0 && !child_done)
					usleep(20000);	/* EOF: exit is near */
			}
			pump(0);
			if (!WIFEXITED(child_status) || WEXITSTATUS(child_status) != 0) {
				if (WIFEXITED(child_status))
					say("step %d (-e): the command exited with status %d",
					    s + 1, WEXITSTATUS(child_status));
				else
					say("step %d (-e): the command was killed by signal %d",
					    s + 1, WTERMSIG(child_status));
				show_tail(300);
				finish(EX_STATUS);
			}
			trace("step %d: the command exited 0", s + 1);
			break;
		}
	}
	pump(0);
	finish(EX_OK);
	return EX_OK;
}
