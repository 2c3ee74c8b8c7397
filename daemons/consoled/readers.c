/*
 * readers.c - a console's attach socket and its clients (readers.h).
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bq.h"
#include "console.h"
#include "consoled.h"
#include "ev.h"
#include "log.h"
#include "readers.h"

struct client {
	TAILQ_ENTRY(client)	 entry;
	struct readers		*rd;
	int			 fd;
	struct bq		 q;
	struct ev		*ev_r, *ev_w;
	bool			 wait_w;	/* socket full: wait for writable */
	bool			 in_paused;	/* guest's in[] full */
	bool			 eof;		/* client closed its side */
};

struct readers {
	struct ev_base		*base;
	struct console		*c;
	char			*path;
	int			 lfd;
	struct ev		*ev_accept;
	unsigned int		 max, n;
	size_t			 scrollback;
	unsigned long long	 dropped;	/* from clients already gone */
	TAILQ_HEAD(, client)	 clients;
};

static void
client_free(struct client *cl)
{
	struct readers *rd = cl->rd;

	TAILQ_REMOVE(&rd->clients, cl, entry);
	rd->n--;
	rd->dropped += cl->q.dropped;
	ev_free(cl->ev_r);
	ev_free(cl->ev_w);
	close(cl->fd);
	bq_free(&cl->q);
	log_debug("console d%u/%u: client left (%u attached)",
	    console_domid(rd->c), console_num(rd->c), rd->n);
	free(cl);
}

/* Write what can be written now.  Returns -1 if the client is gone. */
static int
client_flush(struct client *cl)
{
	struct iovec iov[2];
	ssize_t n;
	int cnt;

	bq_flush_marker(&cl->q);
	while ((cnt = bq_peek(&cl->q, iov)) > 0) {
		n = writev(cl->fd, iov, cnt);
		if (n > 0) {
			bq_consume(&cl->q, (size_t)n);
			/* Room again: a pending drop marker goes in now. */
			bq_flush_marker(&cl->q);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		return -1;	/* EPIPE, ECONNRESET: the client left */
	}
	cl->wait_w = bq_len(&cl->q) > 0;
	if (cl->wait_w)
		ev_enable(cl->ev_w);
	else
		ev_disable(cl->ev_w);
	return 0;
}

static void
client_writable(int fd, void *arg)
{
	struct client *cl = arg;

	(void)fd;
	if (client_flush(cl) == -1)
		client_free(cl);
}

static void
client_readable(int fd, void *arg)
{
	struct client *cl = arg;
	char buf[1024];
	size_t space;
	ssize_t n;

	space = console_in_space(cl->rd->c);
	if (space == 0) {
		ev_disable(cl->ev_r);
		cl->in_paused = true;
		return;
	}
	if (space > sizeof(buf))
		space = sizeof(buf);
	n = read(fd, buf, space);
	if (n > 0) {
		console_input(cl->rd->c, buf, (size_t)n);
		return;
	}
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n == 0) {
		/* Half close (stdin ended): keep sending it output. */
		cl->eof = true;
		ev_disable(cl->ev_r);
		return;
	}
	client_free(cl);
}

static void
readers_accept(int lfd, void *arg)
{
	struct readers *rd = arg;
	struct client *cl;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char *replay;
	size_t n;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	/* The socket is 0600 already; this also holds if someone chmods it. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    cred.uid != geteuid()) {
		log_warnx("%s: refusing a client with uid %d", rd->path,
		    len == sizeof(cred) ? (int)cred.uid : -1);
		close(fd);
		return;
	}
	if (rd->n >= rd->max) {
		static const char msg[] = "[consoled: too many clients]\r\n";

		/* The memory cap bounds clients; tell the refused one why. */
		if (write(fd, msg, sizeof(msg) - 1) < 0)
			log_debug("%s: refusing a client: %s", rd->path,
			    strerror(errno));
		close(fd);
		log_warnx("%s: refusing a client: %u attached (the memory "
		    "cap's limit)", rd->path, rd->n);
		return;
	}
	if ((cl = calloc(1, sizeof(*cl))) == NULL ||
	    bq_init(&cl->q, CONS_CLIENTQ, 0) == -1) {
		log_warn("%s: client", rd->path);
		free(cl);
		close(fd);
		return;
	}
	cl->rd = rd;
	cl->fd = fd;
	cl->ev_r = ev_read(rd->base, fd, true, client_readable, cl);
	cl->ev_w = ev_write(rd->base, fd, client_writable, cl);
	TAILQ_INSERT_TAIL(&rd->clients, cl, entry);
	rd->n++;
	if (cl->ev_r == NULL || cl->ev_w == NULL) {
		log_warn("%s: client events", rd->path);
		client_free(cl);
		return;
	}
	/* The last few KiB first, so the client sees where the guest is. */
	if (rd->scrollback > 0 && (replay = malloc(rd->scrollback)) != NULL) {
		n = console_replay(rd->c, replay, rd->scrollback);
		bq_push(&cl->q, replay, n);
		free(replay);
	}
	log_debug("%s: client attached (%u attached)", rd->path, rd->n);
	if (client_flush(cl) == -1)
		client_free(cl);
}

struct readers *
readers_new(struct ev_base *base, struct console *c, const char *path,
    unsigned int max_clients, size_t scrollback)
{
	struct readers *rd;
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("%s: socket path too long", path);
		return NULL;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((rd = calloc(1, sizeof(*rd))) == NULL ||
	    (rd->path = strdup(path)) == NULL) {
		log_warn("%s", path);
		free(rd);
		return NULL;
	}
	TAILQ_INIT(&rd->clients);
	rd->base = base;
	rd->c = c;
	rd->max = max_clients > 0 ? max_clients : 1;
	rd->scrollback = scrollback;
	rd->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (rd->lfd == -1)
		goto fail;
	/* A socket left by an earlier run (or a reused domid) is ours to replace. */
	if (unlink(path) == -1 && errno != ENOENT)
		goto fail;
	if (bind(rd->lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0600) == -1 || listen(rd->lfd, 16) == -1)
		goto fail;
	if ((rd->ev_accept = ev_read(base, rd->lfd, true, readers_accept,
	    rd)) == NULL)
		goto fail;
	return rd;
fail:
	log_warn("%s: attach socket", path);
	if (rd->lfd != -1)
		close(rd->lfd);
	free(rd->path);
	free(rd);
	return NULL;
}

void
readers_output(struct readers *rd, const void *buf, size_t n)
{
	struct client *cl, *next;

	for (cl = TAILQ_FIRST(&rd->clients); cl != NULL; cl = next) {
		next = TAILQ_NEXT(cl, entry);
		bq_push(&cl->q, buf, n);
		if (!cl->wait_w && client_flush(cl) == -1)
			client_free(cl);
	}
}

void
readers_input_ready(struct readers *rd)
{
	struct client *cl;

	TAILQ_FOREACH(cl, &rd->clients, entry) {
		if (cl->in_paused && !cl->eof) {
			cl->in_paused = false;
			ev_enable(cl->ev_r);
		}
	}
}

unsigned int
readers_count(const struct readers *rd)
{
	return rd->n;
}

unsigned long long
readers_dropped(const struct readers *rd)
{
	const struct client *cl;
	unsigned long long n = rd->dropped;

	TAILQ_FOREACH(cl, &rd->clients, entry)
		n += cl->q.dropped;
	return n;
}

void
readers_free(struct readers *rd)
{
	struct client *cl;

	if (rd == NULL)
		return;
	while ((cl = TAILQ_FIRST(&rd->clients)) != NULL) {
		client_flush(cl);
		client_free(cl);
	}
	ev_free(rd->ev_accept);
	close(rd->lfd);
	unlink(rd->path);
	free(rd->path);
	free(rd);
}
