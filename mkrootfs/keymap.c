/* keymap.h: open addressing, linear probing, at most half full. */
#include "keymap.h"
#include <errno.h>
#include <stdlib.h>

struct keyslot {
	uint64_t a, b, val;
	int used;
};

static size_t slot_of(uint64_t a, uint64_t b, size_t cap)
{
	uint64_t h = a * 0x9e3779b97f4a7c15u ^ (b + 0x632be59bd9b4e019u);

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9u;
	h ^= h >> 29;
	return (size_t)h & (cap - 1);
}

static struct keyslot *find(const struct keymap *m, uint64_t a, uint64_t b)
{
	size_t i = slot_of(a, b, m->cap);

	while (m->v[i].used && (m->v[i].a != a || m->v[i].b != b))
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

int keymap_get(const struct keymap *m, uint64_t a, uint64_t b, uint64_t *val)
{
	const struct keyslot *s;

	if (!m->cap)
		return 0;
	s = find(m, a, b);
	if (!s->used)
		return 0;
	*val = s->val;
	return 1;
}

int keymap_put(struct keymap *m, uint64_t a, uint64_t b, uint64_t val)
{
	struct keyslot *s;

	if (2 * (m->n + 1) > m->cap) {
		struct keymap g = {calloc(m->cap ? 2 * m->cap : 64, sizeof *g.v), 0,
				   m->cap ? 2 * m->cap : 64};

		if (!g.v)
			return -ENOMEM;
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].used)
				*find(&g, m->v[i].a, m->v[i].b) = m->v[i];
		g.n = m->n;
		free(m->v);
		*m = g;
	}
	s = find(m, a, b);
	if (!s->used) {
		s->used = 1;
		s->a = a;
		s->b = b;
		m->n++;
	}
	s->val = val;
	return 0;
}

void keymap_free(struct keymap *m)
{
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}
