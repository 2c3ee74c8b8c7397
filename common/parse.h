/*
 * parse.h - strict parsers for values read from xenstore.
 *
 * Everything under a frontend's directory is written by the guest, so every
 * number is parsed here: decimal only, no sign, no spaces, no trailing junk,
 * bounded by the caller's maximum.  Pure functions, no I/O (unit-tested and
 * fuzzed).
 */
#ifndef XB_PARSE_H
#define XB_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parse s as a decimal unsigned integer in [0, max] into *out.
 * Returns 0, or -1 with errno EINVAL (not a plain decimal number) or
 * ERANGE (greater than max).  *out is untouched on failure.
 */
int	parse_uint(const char *s, uint64_t max, uint64_t *out);

/*
 * Why parse_uint(s, max, ...) refuses s, in words for a log line naming
 * the key and the value: "absent" (NULL), "empty", "negative", "not a
 * decimal number" or "greater than the maximum"; NULL if it accepts s.
 * Static strings.
 */
const char *parse_uint_why(const char *s, uint64_t max);

/*
 * Parse a xenbus state ("1".."8", see io/xenbus.h).  Returns the state, or
 * 0 (XenbusStateUnknown) for NULL, garbage or out-of-range values.
 */
int	parse_xenbus_state(const char *s);

/*
 * Parse a "<domid>/<devid>" pair as used on the command line of a worker.
 * Returns 0 or -1 (EINVAL).
 */
int	parse_domdev(const char *s, unsigned int *domid, unsigned int *devid);

/*
 * Interpret a backend "mode" value written by the toolstack: returns true if
 * the device may be written ("w", "w!" and anything containing 'w', as Linux
 * blkback does), false otherwise.
 */
bool	parse_mode_writable(const char *s);

/*
 * The value of one hexadecimal digit ('0'-'9', 'a'-'f', 'A'-'F'; c as a
 * char or unsigned char value), or -1 for any other character.
 */
int	parse_hexdigit(int c);

/*
 * Parse a size given on a command line: a decimal number with an optional
 * K, M or G suffix (powers of 1024, either case), in [0, max].  Returns 0,
 * or -1 with errno EINVAL or ERANGE (also on overflow).
 */
int	parse_size(const char *s, uint64_t max, uint64_t *out);

#endif
