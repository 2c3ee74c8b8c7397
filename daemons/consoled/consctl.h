/*
 * consctl.h - consoled's control socket (common/ctl.h): per console its
 * state, log file, pty, readers attached and counters, as JSON ("status")
 * or Prometheus text ("metrics").  consoled has no workers, so every
 * answer is made at once from the process's own consoles.
 */
#ifndef CONS_CONSCTL_H
#define CONS_CONSCTL_H

struct consctl;
struct consd;

/* Listen on path.  Returns NULL on failure (errno). */
struct consctl	*consctl_new(struct consd *, const char *path);

/* Close the socket and remove it.  NULL is accepted. */
void		 consctl_free(struct consctl *);

#endif
