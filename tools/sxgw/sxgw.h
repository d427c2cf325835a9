/*
 * sxgw.h - the service: one event loop, the configuration, the SIP focus,
 * the MSRP switch and the rooms they serve.
 *
 *   main.c        options, daemon, signals, start and orderly stop
 *   config.c      sxgw.ini (man 5 sxgw.ini)
 *   room.c        rooms and participants: membership, nicknames, roster,
 *                 history, subject -- the room logic, in one place
 *   focus*.c      SIP: the conference focus (RFC 4579), conference event
 *                 package (RFC 4575), REFER (RFC 3515, RFC 4579 §5)
 *   switch*.c     MSRP: the chat room switch (RFC 4975, RFC 7701)
 *   gw*.c         the XMPP gateway (RFC 7702): XMPP users in the rooms
 *                 through one SIP+MSRP leg each, see gw.h
 *
 * The focus and the switch never call each other: each acts on rooms
 * through room.h, and room.c tells the other side what it must do.
 */
#ifndef SXGW_H
#define SXGW_H

#include "config.h"
#include "sx_loop.h"

struct focus;
struct gw;
struct msrp_switch;
struct room;

struct sxgw {
	struct sx_loop *loop;
	const struct sxgw_config *cfg;
	struct focus *focus;
	struct msrp_switch *sw;
	struct gw *xmpp;            /* the XMPP gateway, NULL when off */
	struct room *rooms;         /* list, see room.h */
	unsigned nrooms;
	int stopping;               /* shutting down: no new rooms or calls */
};

#endif
