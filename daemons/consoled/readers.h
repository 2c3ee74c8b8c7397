/*
 * readers.h - a console's attach socket (<sockdir>/d<domid>.<num>) and the
 * clients on it: any number up to the per-console memory cap, each with its
 * own bounded queue (bq.h), so a client that stops reading gets a
 * "[consoled: N bytes dropped]" marker and never stalls the guest or the
 * other clients (cri-o#7945 is what happens otherwise).  A new client
 * first gets the scrollback, then live output; what it writes goes to the
 * guest's input in order.
 */
#ifndef CONS_READERS_H
#define CONS_READERS_H

#include <stddef.h>

struct console;
struct ev_base;
struct readers;

/*
 * Listen on path (a stale socket there is replaced; mode 0600).  Only
 * peers with our uid (SO_PEERCRED) are served.  max_clients >= 1.
 * Returns NULL on failure (logged, naming path).
 */
struct readers	*readers_new(struct ev_base *, struct console *,
		    const char *path, unsigned int max_clients,
		    size_t scrollback);

/* Queue output for every client and write what can be written now. */
void		 readers_output(struct readers *, const void *, size_t);

/* The guest's in[] has room again: resume reading clients' input. */
void		 readers_input_ready(struct readers *);

/* Clients attached now. */
unsigned int	 readers_count(const struct readers *);

/* Bytes dropped for slow clients so far (all clients, ever). */
unsigned long long readers_dropped(const struct readers *);

/*
 * Write what each queue holds without blocking, close every client
 * (EOF), close and unlink the socket, free.  NULL-safe.
 */
void		 readers_free(struct readers *);

#endif
