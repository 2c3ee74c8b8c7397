/*
 * conslog.h - one console's log file: guest-<name>.log (or
 * hypervisor.log), written in order, size-rotated, reopened on request.
 *
 * What xenconsoled lacks (consoled.md 1.7, 2 #10, #11): built-in size
 * rotation keeping N files (virtlogd's scheme: .log -> .log.1 -> ... ->
 * .log.N, the oldest deleted), a mode set with fchmod() whatever the umask
 * (xenconsoled's -i path left 0644), per-line timestamps whose "at start of
 * line" state belongs to this log alone (xenconsoled shared one static flag
 * across all guests), and guest bytes treated as data: by default ESC and
 * other C0 controls except TAB, LF, CR and BS become '.', so `tail -f`
 * never runs guest escape sequences and a guest cannot forge a timestamp
 * or a "[consoled: ...]" note at the start of a line (notes start with the
 * prefix only when conslog_note() wrote them).
 *
 * A write error (ENOSPC, EIO) never blocks or kills the console: the bytes
 * are counted as lost and a note with the count is written once writing
 * works again.  Functions return -1 with errno only for open/rotate
 * failures; the caller logs them naming the file.
 */
#ifndef CONS_CONSLOG_H
#define CONS_CONSLOG_H

#include <sys/types.h>

#include <stdint.h>

#define CONSLOG_TS_LEN	22	/* "[2026-11-24 12:00:00] " */

struct conslog_opts {
	uint64_t	rotate_size;	/* rotate when a write would pass it; 0 = never */
	unsigned int	keep;		/* rotated files kept (.1 .. .keep); 0 = truncate instead */
	int		timestamps;	/* prefix each line with [%Y-%m-%d %H:%M:%S] (UTC) */
	int		raw;		/* keep control bytes as they are */
	mode_t		mode;		/* file mode, e.g. 0640 */
};

struct conslog {
	char			*path;		/* dir/file */
	int			 fd;		/* -1 when closed */
	uint64_t		 size;		/* current file size */
	int			 at_bol;	/* next byte starts a line */
	uint64_t		 written;	/* guest bytes written (all files) */
	uint64_t		 lost;		/* guest bytes lost to write errors */
	uint64_t		 lost_pending;	/* lost since the last note */
	uint64_t		 rotations;
	struct conslog_opts	 o;
	/*
	 * Unless raw: the start of a guest line that so far matches
	 * "[consoled:" is held back until it is known whether it does, so
	 * a guest that splits the text across writes cannot forge a note.
	 */
	unsigned char		 hold[16];
	size_t			 nhold;
};

/*
 * Open (create) path for appending: O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|
 * O_CLOEXEC, then fchmod(o->mode); refuses anything but a regular file
 * (ELOOP for a symlink, ENXIO for a FIFO without a reader, EISDIR, EINVAL
 * for other types).  Returns 0 or -1 (errno); on failure the struct holds
 * no fd and no path.
 */
int	conslog_open(struct conslog *, const char *path, const struct conslog_opts *);

/*
 * Write guest bytes: sanitised unless raw, timestamped at each line start
 * if asked, rotating first whenever the next chunk would pass rotate_size
 * (at a line boundary if one lies in the last 256 bytes before the limit,
 * so lines are rarely split).  Every byte is written to some file or
 * counted in lost.  Unless raw, a guest line that starts with
 * "[consoled:" gets '.' for its '['.  With timestamps, CRs right after a
 * newline are skipped (as xenconsoled does) so "\n\r" line ends do not
 * put the cursor back over the timestamp.  Returns 0, or -1 if a rotation
 * failed (the data still went to the current file when it could; the next
 * try is after another rotate_size bytes).
 */
int	conslog_write(struct conslog *, const void *data, size_t len);

/*
 * Write a metadata line "[consoled: <text>]\n" (after a newline if the
 * guest's line is unfinished), timestamped if timestamps are on.  Used for
 * drop counts, "console closed" and "domain gone" marks.  Control bytes
 * in the text become '.'.  Returns 0, or -1 if the note could not be
 * written (or a rotation failed).
 */
int	conslog_note(struct conslog *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Close and reopen the same path (SIGHUP: external logrotate moved it).
 * If the open fails the old fd is kept (and -1 returned).  A new empty
 * file starts at a line start (its first line gets a timestamp).
 */
int	conslog_reopen(struct conslog *);

/*
 * Rotate now (.log -> .log.1 ...; keep 0: truncate); used by
 * conslog_write().  On failure the current file stays open.
 */
int	conslog_rotate(struct conslog *);

/* Close the fd and free the path.  NULL-safe; the struct may be reused. */
void	conslog_close(struct conslog *);

/*
 * Turn a domain name into a file name part: bytes outside [A-Za-z0-9._-]
 * become '_', a leading '.' becomes '_', empty becomes "unnamed"; at most
 * dstlen-1 bytes.  Returns dst.
 */
char	*conslog_safe_name(char *dst, size_t dstlen, const char *name);

#endif
