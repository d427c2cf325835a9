/* testutil.c - see testutil.h */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t page_round(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	return (n + pg - 1) / pg * pg;
}

char *sx_test_guard_copy(const void *data, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = page_round(len ? len : 1);
	char *base = mmap(NULL, body + pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(base, MAP_FAILED);
	ck_assert_int_eq(mprotect(base + body, pg, PROT_NONE), 0);
	memcpy(base + body - len, data, len);
	return base + body - len;
}

void sx_test_guard_free(char *p, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = page_round(len ? len : 1);

	munmap(p + len - body, body + pg);
}

char *sx_test_fixture(const char *relpath, size_t *len)
{
	const char *dir = getenv("FIXTURES");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "fixtures", relpath);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

void sx_test_assert_mem(const char *p, size_t len, const char *want)
{
	ck_assert_msg(len == strlen(want) && memcmp(p, want, len) == 0,
		      "got \"%.*s\", want \"%s\"", (int)len, p, want);
}

int sx_test_bad_corpus(const char *dir,
		       void (*check)(const struct sx_test_bad *b))
{
	char *list, *line, *save = NULL, listed[512], path[512];
	struct sx_test_bad b;
	int n = 0;

	snprintf(listed, sizeof(listed), "%s/EXPECTED", dir);
	list = sx_test_fixture(listed, NULL);
	for (line = strtok_r(list, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		ck_assert_msg(sscanf(line, "%127[^\t]\t%d\t%199[^\n]", b.file,
				     &b.status, b.text) == 3,
			      "%s: bad line: %s", listed, line);
		snprintf(path, sizeof(path), "%s/%s", dir, b.file);
		b.data = sx_test_fixture(path, &b.len);
		check(&b);
		free(b.data);
		n++;
	}
	free(list);
	return n;
}

void sx_test_assert_refused(const struct sx_test_bad *b,
			    const struct sx_err *err)
{
	ck_assert_msg(err->status == b->status, "%s: status %d (%s)", b->file,
		      err->status, err->text);
	ck_assert_msg(strstr(err->text, b->text) != NULL,
		      "%s: \"%s\" lacks \"%s\"", b->file, err->text, b->text);
}

int sx_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	/* tests/run reads this line to add up the results */
	printf("RESULT %d passed, %d failed\n",
	       srunner_ntests_run(sr) - failed, failed);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
