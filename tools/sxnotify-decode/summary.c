/*
 * summary.c - the readable summary of a conference-info model: the
 * conference (RFC 4575 §5.1-§5.5) as labelled lines, then a table with a
 * row per user and endpoint (§5.6, §5.7) and their media (§5.7.5).
 *
 * Text from the document goes to a terminal: control characters are shown
 * as spaces so that a hostile display-text cannot move the cursor or break
 * the table.  Columns are aligned on UTF-8 code points.
 */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

enum { COL_USER, COL_NAME, COL_ROLES, COL_STATUS, COL_MEDIA, NCOLS };

static const char *const summary_heads[NCOLS] = {
	"USER", "NAME", "ROLES", "STATUS", "MEDIA",
};

static void summary_puts(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c == 0x7f ? ' ' : c, out);
	}
}

static size_t summary_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static int summary_has(const char *s)
{
	return s != NULL && *s != '\0';
}

static void summary_name(FILE *f, const struct confinfo_user *u)
{
	if (summary_has(u->nickname)) {
		summary_puts(f, u->nickname);
		if (summary_has(u->display_text) &&
		    strcmp(u->display_text, u->nickname) != 0) {
			fputs(" (", f);
			summary_puts(f, u->display_text);
			fputc(')', f);
		}
	} else if (summary_has(u->display_text)) {
		summary_puts(f, u->display_text);
	}
}

static void summary_roles(FILE *f, const struct confinfo_user *u)
{
	size_t i;

	for (i = 0; i < u->nroles; i++) {
		if (i > 0)
			fputc(',', f);
		summary_puts(f, u->roles[i]);
	}
}

static void summary_status(FILE *f, const struct confinfo_endpoint *e)
{
	if (summary_has(e->status))
		summary_puts(f, e->status);
	if (summary_has(e->disconnection_method)) {
		fputs(summary_has(e->status) ? " (" : "(", f);
		summary_puts(f, e->disconnection_method);
		fputc(')', f);
	}
}

static void summary_media(FILE *f, const struct confinfo_endpoint *e)
{
	size_t i;

	for (i = 0; i < e->nmedia; i++) {
		const struct confinfo_media *m = &e->media[i];

		if (i > 0)
			fputs(", ", f);
		summary_puts(f, summary_has(m->type) ? m->type : m->id);
		if (summary_has(m->status)) {
			fputc(':', f);
			summary_puts(f, m->status);
		}
	}
}

/* Fills the cells of one row; e is NULL for a user without endpoints, and
 * first says whether the user's own cells are shown on this row (a user
 * with several endpoints takes a row for each).  A cell with nothing to
 * show holds "-", or stays empty under the user's first row. */
static int summary_row(char **cells, const struct confinfo_user *u,
		       const struct confinfo_endpoint *e, int first)
{
	int col;

	for (col = 0; col < NCOLS; col++) {
		size_t size;
		FILE *f = open_memstream(&cells[col], &size);

		if (f == NULL)
			return -1;
		switch (col) {
		case COL_USER:
			if (first)
				summary_puts(f, u->entity);
			break;
		case COL_NAME:
			if (first)
				summary_name(f, u);
			break;
		case COL_ROLES:
			if (first)
				summary_roles(f, u);
			break;
		case COL_STATUS:
			if (u->state == CONFINFO_DELETED && first)
				fputs("deleted", f);
			else if (e != NULL)
				summary_status(f, e);
			break;
		case COL_MEDIA:
			if (e != NULL)
				summary_media(f, e);
			break;
		}
		if (ftell(f) == 0 && (first || col >= COL_STATUS))
			fputc('-', f);
		if (fclose(f) != 0)
			return -1;
	}
	return 0;
}

static void summary_print_row(FILE *out, char *const *cells,
			      const size_t *width)
{
	int col;

	fputs("  ", out);
	for (col = 0; col < NCOLS; col++) {
		fputs(cells[col], out);
		if (col < NCOLS - 1)
			fprintf(out, "%*s", (int)(width[col] + 2 -
				summary_width(cells[col])), "");
	}
	fputc('\n', out);
}

static void summary_table(FILE *out, const struct confinfo *ci)
{
	size_t nrows = 1, r, i, j, width[NCOLS] = { 0 };
	char **cells;
	int col;

	for (i = 0; i < ci->nusers; i++)
		nrows += ci->users[i].nendpoints ? ci->users[i].nendpoints : 1;
	cells = calloc(nrows * NCOLS, sizeof(*cells));
	if (cells == NULL)
		return;
	for (col = 0; col < NCOLS; col++)
		cells[col] = strdup(summary_heads[col]);
	r = 1;
	for (i = 0; i < ci->nusers; i++) {
		const struct confinfo_user *u = &ci->users[i];

		if (u->nendpoints == 0 &&
		    summary_row(&cells[r++ * NCOLS], u, NULL, 1) != 0)
			goto out;
		for (j = 0; j < u->nendpoints; j++)
			if (summary_row(&cells[r++ * NCOLS], u,
					&u->endpoints[j], j == 0) != 0)
				goto out;
	}
	for (r = 0; r < nrows * NCOLS; r++) {
		size_t w;

		if (cells[r] == NULL)
			goto out;
		w = summary_width(cells[r]);
		if (w > width[r % NCOLS])
			width[r % NCOLS] = w;
	}
	fputc('\n', out);
	for (r = 0; r < nrows; r++)
		summary_print_row(out, &cells[r * NCOLS], width);
out:
	for (r = 0; r < nrows * NCOLS; r++)
		free(cells[r]);
	free(cells);
}

static void summary_line(FILE *out, const char *label, const char *value)
{
	if (!summary_has(value))
		return;
	fprintf(out, "%-12s", label);
	summary_puts(out, value);
	fputc('\n', out);
}

static const char *summary_bool(int v)
{
	return v < 0 ? NULL : v ? "yes" : "no";
}

void summary_print(FILE *out, const struct confinfo *ci)
{
	char num[64];

	summary_line(out, "Conference", ci->entity);
	summary_line(out, "Name", ci->display_text);
	if (ci->has_version) {
		snprintf(num, sizeof(num), "%lu", ci->version);
		summary_line(out, "Version", num);
	}
	summary_line(out, "State", confinfo_state_name(
			     ci->state ? ci->state : CONFINFO_FULL));
	summary_line(out, "Subject", ci->subject);
	if (ci->has_user_count && ci->user_count != ci->nusers)
		snprintf(num, sizeof(num), "%zu listed, user-count %lu",
			 ci->nusers, ci->user_count);
	else
		snprintf(num, sizeof(num), "%zu", ci->nusers);
	summary_line(out, "Users", num);
	summary_line(out, "Active", summary_bool(ci->active));
	summary_line(out, "Locked", summary_bool(ci->locked));
	if (ci->nusers > 0)
		summary_table(out, ci);
}
