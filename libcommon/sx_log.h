/*
 * sx_log.h - the programs' log: one line per event, to stderr in the
 * foreground and to syslog as a daemon.  Levels are syslog's.
 *
 * Lines name what they are about first ("room design: alice joined as
 * 'al'"), so that an operator can grep for a room, a call or a peer.
 */
#ifndef SX_LOG_H
#define SX_LOG_H

#include <syslog.h>

/* to_syslog 0: stderr with a timestamp. */
void sx_log_init(const char *ident, int to_syslog, int level);
void sx_log_set_level(int level);
int sx_log_level(void);
/* "error", "warning", "notice", "info", "debug" -> LOG_*, or -1. */
int sx_log_level_parse(const char *name);

void sx_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define sx_err(...)    sx_log(LOG_ERR, __VA_ARGS__)
#define sx_warn(...)   sx_log(LOG_WARNING, __VA_ARGS__)
#define sx_notice(...) sx_log(LOG_NOTICE, __VA_ARGS__)
#define sx_info(...)   sx_log(LOG_INFO, __VA_ARGS__)
#define sx_debug(...)  sx_log(LOG_DEBUG, __VA_ARGS__)

#endif
