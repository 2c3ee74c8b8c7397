/*
 * bkargs.h - the command line and configuration keys that blkbackd and
 * netbackd share (blkbackd(8), netbackd(8), xb-backends.conf(5)).
 *
 * Both daemons are one binary in two roles: the parent, and a worker per
 * device that the parent starts as "-W domid/devid" with every setting on
 * its command line.  Only the parent reads the configuration file; a
 * worker is told everything and opens nothing.
 *
 * main() runs getopt_long() with BK_OPTSTRING followed by its own letters
 * and bk_longopts, offers each option to bk_arg() first and handles the
 * ones it declines; then, in the parent, bk_conf() fills in from the file
 * what the command line left unset (flags override the file).  Nothing
 * here prints or exits: errors are messages for the caller.
 */
#ifndef XB_BKARGS_H
#define XB_BKARGS_H

#include <sys/types.h>

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

struct conf;

/*
 * -d foreground, -F ignore the kernel backend, -f file, -h, -n check and
 * exit, -q queues, -r ask the running daemon to re-exec, -u user, -v
 * verbose; internal (from the parent): -A re-attach after a clean stop,
 * -R resume, -S uid:gid, -T test hooks, -W domid/devid.
 */
#define BK_OPTSTRING	"Adf:Fhnq:rRS:Tu:vW:"

/* getopt_long() values of the long-only options (above any char). */
enum {
	BK_OPT_HANDOVER = 0x100,	/* --handover=ARG (internal, handover.h) */
	BK_OPT_SANDBOX,			/* --print-sandbox */
	BK_OPT_CAPS,			/* --print-capabilities */
};
extern const struct option bk_longopts[];

/* Which settings the command line gave (they win over the file). */
#define BK_SET_QUEUES	0x1
#define BK_SET_USER	0x2

struct bk_args {
	int		 verbose;	/* -v, counted */
	bool		 foreground;	/* -d */
	bool		 force;		/* -F */
	bool		 request;	/* -r */
	bool		 checkonly;	/* -n */
	bool		 print_sandbox;
	bool		 print_caps;
	bool		 reattach;	/* -A */
	bool		 resume;	/* -R */
	bool		 test;		/* -T */
	bool		 ugid;		/* -S given: uid, gid valid */
	uid_t		 uid;
	gid_t		 gid;
	const char	*conf;		/* -f; NULL: XB_CONF_FILE, if it exists */
	const char	*worker;	/* -W */
	const char	*handover;
	const char	*user;		/* -u / user */
	unsigned int	 max_queues;	/* -q / max-queues */
	unsigned int	 queues_max;	/* the daemon's limit for it */
	unsigned int	 set;		/* BK_SET_* */
};

/* The daemon's defaults: queues (1..queues_max) and the workers' user. */
void	bk_init(struct bk_args *, unsigned int queues, unsigned int queues_max,
	    const char *user);

/*
 * Offer option ch (with getopt's arg) to the shared set.  Returns 1 if
 * taken, 0 if it is not a shared option (the caller's, or unknown), -1 if
 * its argument is bad: the reason, naming the option, in err.
 */
int	bk_arg(struct bk_args *, int ch, const char *arg, char *err,
	    size_t errlen);

/*
 * The parent's configuration: load -f's file (which must exist) or
 * XB_CONF_FILE (which may not), and take the shared keys of section sec
 * ("max-queues", "user") where the command line set nothing (a key a
 * flag overrides is still checked).  Returns the conf for the caller's
 * own keys (then conf_unused(), conf_free(); a->user may point into it
 * until then), or NULL with the reason in err.
 */
struct conf	*bk_conf(struct bk_args *, const char *sec, char *err,
		    size_t errlen);

#endif
