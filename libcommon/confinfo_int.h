/*
 * confinfo_int.h - functions shared by the confinfo_*.c files only (and
 * their unit tests, which build models by hand): deep copy, release and
 * comparison of the parts of a conference-info model.
 *
 * Copies return 0, or -1 when memory runs out, leaving the destination
 * empty (zeroed) so that it can always be released.
 */
#ifndef SX_CONFINFO_INT_H
#define SX_CONFINFO_INT_H

#include "confinfo.h"

int confinfo_str_eq(const char *a, const char *b);
int confinfo_state_is_full(enum confinfo_state s);

void confinfo_strv_free(char **v, size_t n);
void confinfo_uris_free(struct confinfo_uri *v, size_t n);
void confinfo_media_clear(struct confinfo_media *m);
void confinfo_medias_free(struct confinfo_media *v, size_t n);
void confinfo_endpoint_clear(struct confinfo_endpoint *e);
void confinfo_user_clear(struct confinfo_user *u);
void confinfo_users_free(struct confinfo_user *v, size_t n);

/* Replace *dst by a copy of src; confinfo_set_str() leaves *dst alone
 * when src is NULL. */
int confinfo_set_str(char **dst, const char *src);
int confinfo_set_strv(char ***dst, size_t *ndst, char *const *src, size_t n);
int confinfo_strv_copy(char ***dst, size_t *ndst, char *const *src, size_t n);
int confinfo_uris_copy(struct confinfo_uri **dst, size_t *ndst,
		       const struct confinfo_uri *src, size_t n);
int confinfo_media_copy(struct confinfo_media *dst,
			const struct confinfo_media *src);
int confinfo_medias_copy(struct confinfo_media **dst, size_t *ndst,
			 const struct confinfo_media *src, size_t n);
int confinfo_endpoint_copy(struct confinfo_endpoint *dst,
			   const struct confinfo_endpoint *src);
int confinfo_user_copy(struct confinfo_user *dst,
		       const struct confinfo_user *src);

struct confinfo_endpoint *confinfo_endpoint_find(const struct confinfo_user *u,
						 const char *entity);
struct confinfo_media *confinfo_media_find(const struct confinfo_media *v,
					   size_t n, const char *id);

/* Equality as documents say it: keyed items in any order, an absent state
 * the same as "full", an empty <roles> the same as none. */
int confinfo_strv_equal(char *const *a, size_t na, char *const *b, size_t nb);
int confinfo_uris_equal(const struct confinfo_uri *a, size_t na,
			const struct confinfo_uri *b, size_t nb);
int confinfo_medias_equal(const struct confinfo_media *a, size_t na,
			  const struct confinfo_media *b, size_t nb);
int confinfo_endpoint_equal(const struct confinfo_endpoint *a,
			    const struct confinfo_endpoint *b);
int confinfo_user_equal(const struct confinfo_user *a,
			const struct confinfo_user *b);

#endif
