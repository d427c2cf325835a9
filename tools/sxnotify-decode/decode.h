/*
 * decode.h - the parts of sxnotify-decode(1) and how they meet.
 *
 *   main.c     options, the per-input and --merge drivers, error reports
 *   input.c    reading a file, telling a document from a SIP message,
 *              finding the conference-info body of a captured NOTIFY
 *   summary.c  the readable summary
 *   jsonout.c  the JSON form (field names are a documented interface)
 *   mucout.c   the XEP-0045 presences a gateway sends for a roster
 *
 * Errors follow sx_err.h: functions return 0 or SX_ERROR and fill a
 * struct sx_err whose line and column are positions in the input file.
 */
#ifndef SXND_DECODE_H
#define SXND_DECODE_H

#include <stdio.h>

#include "confinfo.h"
#include "sx_err.h"

/* Inputs larger than this are refused rather than read into memory. */
#define INPUT_MAX (16u * 1024 * 1024)

struct input {
	const char *name;           /* for messages: the path or "<stdin>" */
	char *data;                 /* the whole file, NUL-terminated */
	size_t len;
	const char *body;           /* the conference-info document in data */
	size_t body_len;
	unsigned long body_line;    /* where body starts in the file */
	unsigned long body_column;
};

/* Reads path ("-" is standard input) whole into in->data. */
int input_read(struct input *in, const char *path, struct sx_err *err);

/* Finds the conference-info document: the whole input when it starts with
 * '<' (after a BOM and white space), else the body of the SIP message it
 * holds (or the conference-info part of a multipart body). */
int input_find_body(struct input *in, struct sx_err *err);

void input_free(struct input *in);

void summary_print(FILE *out, const struct confinfo *ci);

/* One JSON object on one line (or indented when pretty); file may be NULL
 * to leave the "file" member out.  Returns 0 or SX_ERROR. */
int jsonout_print(FILE *out, const struct confinfo *ci, const char *file,
		  int pretty);

/* Prints the presences that the occupant to (a JID) receives on entering
 * room (a bare JID) in the state ci: the other occupants first, its own
 * presence last.  Returns 0, or SX_ERROR when to is not an occupant (the
 * others are printed all the same) or a JID is malformed. */
int mucout_print(FILE *out, const struct confinfo *ci, const char *room,
		 const char *to, struct sx_err *err);

#endif
