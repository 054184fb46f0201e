/*
 * board.c — the kanban widget: records as cards in columns, one column per choice of a field
 * (a project's tasks by status, the pipeline's opportunities by stage). The owner loads the
 * cards and says what a card's second line shows; the board draws, moves the cursor, and moves
 * a card to the next column through `rapport set ID FIELD=CHOICE`, so a move is validated and
 * recorded exactly as on the command line.
 */
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>

void board_init(struct board *b, const struct field *by, board_sub_fn sub)
{
	memset(b, 0, sizeof(*b));
	b->by = by;
	b->sub = sub;
	strv_split(&b->cols, by->choices, ',');
}

void board_free(struct board *b)
{
	strv_clear(&b->cols);
	free(b->cards);
	memset(b, 0, sizeof(*b));
}

void board_cards(struct board *b, struct record *const *cards, size_t n)
{
	free(b->cards);
	b->cards = xcalloc(n + 1, sizeof(*b->cards));
	memcpy(b->cards, cards, n * sizeof(*cards));
	b->n = n;
}

/* The cards of column c, in the owner's order. */
static size_t column(const struct board *b, size_t c, struct record **out)
{
	size_t n = 0;
	for (size_t i = 0; i < b->n; i++) {
		const char *s = record_get(b->cards[i], b->by->name);
		if (s && !strcmp(s, b->cols.v[c]))
			out[n++] = b->cards[i];
	}
	return n;
}

void board_draw(struct tui *t, struct board *b, int y, int h)
{
	size_t ncol = b->cols.n;
	if (!ncol)
		return;
	int cw = (COLS - 1) / (int)ncol;
	struct record **cards = xcalloc(b->n + 1, sizeof(*cards));
	if (b->col >= (int)ncol)
		b->col = (int)ncol - 1;
	for (size_t c = 0; c < ncol; c++) {
		size_t n = column(b, c, cards);
		char head[96];
		if (b->head)
			b->head(t, b->cols.v[c], (const struct record *const *)cards, n, head, sizeof head);
		else
			snprintf(head, sizeof head, C_("count", "%s (%zu)"), choice_label(b->cols.v[c]), n);
		int x = 1 + (int)c * cw;
		tui_put(y, x, cw - 1, head, tui_attr(t, C_HEAD) | ((int)c == b->col ? A_UNDERLINE : 0));
		if ((int)c == b->col && b->row >= (int)n)
			b->row = n ? (int)n - 1 : 0;
		int per = (h - 2) / 2;
		int first = (int)c == b->col && b->row >= per ? b->row - per + 1 : 0;
		for (int i = first, row = 0; i < (int)n && row < per; i++, row++) {
			bool sel = (int)c == b->col && i == b->row;
			char sub[160] = "";
			b->sub(t, cards[i], sub, sizeof sub);
			char *title = record_title(cards[i]);
			tui_put(y + 2 + row * 2, x, cw - 1, title, sel ? A_REVERSE | A_BOLD : A_BOLD);
			free(title);
			tui_put(y + 3 + row * 2, x, cw - 1, sub, sel ? (int)A_REVERSE : tui_attr(t, C_MUTED));
		}
	}
	free(cards);
}

const struct record *board_selected(const struct board *b)
{
	if (!b->cols.n)
		return NULL;
	struct record **cards = xcalloc(b->n + 1, sizeof(*cards));
	size_t n = column(b, (size_t)b->col, cards);
	const struct record *r = b->row < (int)n ? cards[b->row] : NULL;
	free(cards);
	return r;
}

void board_follow(struct board *b, const char *id)
{
	struct record **cards = xcalloc(b->n + 1, sizeof(*cards));
	for (size_t c = 0; c < b->cols.n; c++) {
		size_t n = column(b, c, cards);
		for (size_t i = 0; i < n; i++)
			if (!strcmp(cards[i]->id, id)) {
				b->col = (int)c;
				b->row = (int)i;
			}
	}
	free(cards);
}

int board_key(struct tui *t, struct board *b, int k, char moved[33])
{
	int ncol = (int)b->cols.n;
	if (k == 'h' || k == FK(KEY_LEFT))
		b->col = b->col > 0 ? b->col - 1 : 0;
	else if (k == 'l' || k == FK(KEY_RIGHT))
		b->col = b->col + 1 < ncol ? b->col + 1 : b->col;
	else if (k == 'j' || k == FK(KEY_DOWN))
		b->row++;
	else if (k == 'k' || k == FK(KEY_UP))
		b->row = b->row > 0 ? b->row - 1 : 0;
	else if (k == 'H' || k == 'L' || k == '<' || k == '>' || k == FK(KEY_SLEFT) ||
		 k == FK(KEY_SRIGHT)) {
		const struct record *card = board_selected(b);
		int to = b->col + ((k == 'H' || k == '<' || k == FK(KEY_SLEFT)) ? -1 : 1);
		if (!card || to < 0 || to >= ncol)
			return 1;
		char *a = xasprintf("%s=%s", b->by->name, b->cols.v[to]);
		char id[33];
		memcpy(id, card->id, sizeof id);
		char *argv[] = { "set", id, a, NULL };
		char *out = NULL;
		if (tui_capture(t, 3, argv, &out))
			tui_message(t, C_BAD, "%s", out);
		else {
			tui_changed(t);
			tui_message(t, C_GOOD, "moved to %s", choice_label(b->cols.v[to]));
			memcpy(moved, id, 33);
			b->col = to;
		}
		free(out);
		free(a);
		return 2;
	} else if (k == '\r' || k == '\n' || k == FK(KEY_ENTER)) {
		const struct record *card = board_selected(b);
		if (card)
			tui_open(t, card->id);
	} else
		return 0;
	return 1;
}
