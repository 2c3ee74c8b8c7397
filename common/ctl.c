/*
 * ctl.c - a daemon's control socket.  See ctl.h.
 *
 * Each connection goes through three phases: reading the request (a read
 * event and a CTL_READ_MS timer), waiting for the daemon's reply (no event:
 * the daemon owns the connection until ctl_reply()), writing the reply (a
 * write event and a CTL_WRITE_MS timer).  The timers close a client that
 * stalls; the daemon's own wait is bounded by the daemon.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlfmt.h"
#include "ev.h"
#include "log.h"

enum conn_phase { PH_READ, PH_DAEMON, PH_WRITE };

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	struct ctl		*ctl;
	int			 fd;
	enum conn_phase		 ph;
	struct ev		*ev_rd, *ev_wr, *ev_tmo;
	char			 req[CTL_REQ_MAX];
	size_t			 rlen;
	struct cbuf		 out;
	size_t			 off;
};

struct ctl {
	struct ev_base		*base;
	int			 lfd;
	struct ev		*ev_accept;
	char			 path[108];	/* sun_path */
	ctl_request_fn		*fn;
	void			*arg;
	TAILQ_HEAD(, ctl_conn)	 conns;
	unsigned int		 nconns;
};

static void
conn_free(struct ctl_conn *c)
{
	struct ctl *ctl = c->ctl;

	TAILQ_REMOVE(&ctl->conns, c, entry);
	ctl->nconns--;
	ev_free(c->ev_rd);
	ev_free(c->ev_wr);
	ev_free(c->ev_tmo);
	close(c->fd);
	cbuf_free(&c->out);
	free(c);
	/* Room again for a client waiting in the backlog. */
	ev_enable(ctl->ev_accept);
}

static void
conn_timeout(int fd, void *arg)
{
	struct ctl_conn *c = arg;

	(void)fd;
	if (c->ph == PH_DAEMON)
		return;		/* the daemon answers within its own bound */
	log_debug("control: closing a client that stalled while %s",
	    c->ph == PH_READ ? "sending its request" : "reading its reply");
	conn_free(c);
}

static void
conn_write(int fd, void *arg)
{
	struct ctl_conn *c = arg;
	ssize_t n;

	(void)fd;
	while (c->off < c->out.len) {
		n = send(c->fd, c->out.p + c->off, c->out.len - c->off,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;		/* the write event brings us back */
		if (n <= 0) {
			conn_free(c);	/* the client went away */
			return;
		}
		c->off += (size_t)n;
	}
	conn_free(c);
}

void
ctl_reply(struct ctl_conn *c, struct cbuf *b)
{
	static const char oom[] = "error: reply too large or out of memory\n";

	c->ph = PH_WRITE;
	if (b->err) {
		cbuf_free(b);
		cbuf_init(b, sizeof(oom));
		cbuf_puts(b, oom);
	}
	c->out = *b;
	memset(b, 0, sizeof(*b));
	c->off = 0;
	if ((c->ev_wr = ev_write(c->ctl->base, c->fd, conn_write, c)) == NULL ||
	    ev_enable(c->ev_wr) == -1) {
		conn_free(c);
		return;
	}
	ev_timer_arm(c->ev_tmo, CTL_WRITE_MS);
	conn_write(c->fd, c);
}

static void
conn_error(struct ctl_conn *c, const char *why)
{
	struct cbuf b;

	cbuf_init(&b, CTL_REQ_MAX + 128);
	cbuf_printf(&b, "error: %s\n", why);
	ctl_reply(c, &b);
}

static void
conn_read(int fd, void *arg)
{
	struct ctl_conn *c = arg;
	struct ctl_req r;
	const char *why;
	char *nl;
	ssize_t n;

	(void)fd;
	n = recv(c->fd, c->req + c->rlen, sizeof(c->req) - c->rlen, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_free(c);		/* gone before asking anything */
		return;
	}
	c->rlen += (size_t)n;
	if ((nl = memchr(c->req, '\n', c->rlen)) == NULL) {
		if (c->rlen == sizeof(c->req)) {
			ev_disable(c->ev_rd);
			conn_error(c, "request too long");
		}
		return;
	}
	/* One request per connection: what follows the newline is ignored. */
	ev_disable(c->ev_rd);
	if (ctl_req_parse(c->req, (size_t)(nl - c->req), &r, &why) == -1) {
		conn_error(c, why);
		return;
	}
	c->ph = PH_DAEMON;
	c->ctl->fn(c, &r, c->ctl->arg);
}

static void
ctl_accept(int lfd, void *arg)
{
	struct ctl *ctl = arg;
	struct ctl_conn *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	if (ctl->nconns >= CTL_CONNS_MAX) {
		/* Leave the rest in the backlog until one is done. */
		ev_disable(ctl->ev_accept);
		return;
	}
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	/* The socket is 0600; this also holds if someone chmods it. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    cred.uid != geteuid()) {
		log_warnx("%s: refusing a client with uid %d", ctl->path,
		    len == sizeof(cred) ? (int)cred.uid : -1);
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->ph = PH_READ;
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	ctl->nconns++;
	if ((c->ev_rd = ev_read(ctl->base, fd, true, conn_read, c)) == NULL ||
	    (c->ev_tmo = ev_timer(ctl->base, conn_timeout, c)) == NULL ||
	    ev_timer_arm(c->ev_tmo, CTL_READ_MS) == -1) {
		conn_free(c);
		return;
	}
}

struct ctl *
ctl_new(struct ev_base *base, const char *path, ctl_request_fn *fn, void *arg)
{
	struct sockaddr_un sun;
	struct ctl *ctl;
	int saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sun.sun_path, path);
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		return NULL;
	ctl->base = base;
	ctl->fn = fn;
	ctl->arg = arg;
	strcpy(ctl->path, path);
	TAILQ_INIT(&ctl->conns);
	if ((ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	/* Linux takes the new file's mode from the socket: never wider. */
	if (fchmod(ctl->lfd, 0600) == -1 ||
	    (unlink(path) == -1 && errno != ENOENT) ||
	    bind(ctl->lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0600) == -1 || listen(ctl->lfd, 16) == -1 ||
	    (ctl->ev_accept = ev_read(base, ctl->lfd, true, ctl_accept,
	    ctl)) == NULL)
		goto fail;
	return ctl;
fail:
	saved = errno;
	if (ctl->lfd > 0) {
		close(ctl->lfd);
		unlink(path);
	}
	free(ctl);
	errno = saved;
	return NULL;
}

void
ctl_free(struct ctl *ctl)
{
	struct ctl_conn *c;

	if (ctl == NULL)
		return;
	while ((c = TAILQ_FIRST(&ctl->conns)) != NULL)
		conn_free(c);
	ev_free(ctl->ev_accept);
	close(ctl->lfd);
	unlink(ctl->path);
	free(ctl);
}
