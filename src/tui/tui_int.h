/*
 * tui_int.h — the TUI's private parts: the application (view stack, bars, messages), views and
 * their operations, and the widgets views are built from — a windowed record list (paged from
 * SQLite, never loaded whole), a list of text lines that may link to records, and a one-line
 * editor. Everything drawn goes through tui_put(), which makes record text terminal-safe.
 */
#ifndef RAPPORT_TUI_INT_H
#define RAPPORT_TUI_INT_H

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include "tui.h"

/* Keys: characters are code points; curses function keys are moved above Unicode. */
#define FK(k) (0x110000 + (k))
#define CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27

struct tui;
struct view;

struct view_ops {
	const char *name; /* marked NC_("screen", …): the help says it translated */
	const char *keys; /* the view's own keys for '?', "key\tmeaning" per line; marked N_() */
	void (*draw)(struct tui *t, struct view *v, int y, int h);
	/* Returns true when the view used the key. */
	bool (*key)(struct tui *t, struct view *v, int key);
	/* A click at screen row y, column x; double for a double click. */
	void (*click)(struct tui *t, struct view *v, int y, int x, bool dbl);
	void (*free)(struct view *v);
};

struct view {
	const struct view_ops *ops;
	char title[160];
	struct view *below;
};

struct tui {
	struct ctx *c;
	struct ws *w;
	struct view *top;
	bool quit;
	bool color;
	int gen; /* bumped by every write; widgets reload when it moves */
	char msg[512];
	enum role msg_role;
	char last_deleted[33];
	long census[32];
	int census_gen;
	char syncbar[192]; /* tui_sync_bar as of census_gen */
	int rules_pid;    /* a `rapport alerts` running in the background, 0 when none */
	long day;         /* today (days since the epoch) as of the last frame: see loop() */
	/* A view that wants the text cursor shown says where, each frame (tui_cursor_here). */
	bool want_cursor;
	int cur_y, cur_x;
};

/* ---- application ---- */
void tui_push(struct tui *t, struct view *v);
void tui_pop(struct tui *t);
void tui_message(struct tui *t, enum role r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Data changed: every widget reloads on its next draw. */
void tui_changed(struct tui *t);
/* Runs a command line as the CLI would ("show 3fa9", "list task status=todo", "set …"). */
void tui_command(struct tui *t, const char *line);
/* The ':' line, filled in with `initial` to adjust; Enter runs it (tui_command), Esc drops it. */
void tui_prompt_command(struct tui *t, const char *initial);
/* Opens the screen for a record: the 360 view of a customer, a project's views, or details.
 * id may point into a widget's rows: it is copied before anything can reload them. */
void tui_open(struct tui *t, const char *id);
/* Reads a line on the bottom row after a prompt; NULL when cancelled with Esc. */
char *tui_prompt(struct tui *t, const char *prompt, const char *initial);
/* Runs a CLI command on the workspace and captures its output (caller frees *out). */
int tui_capture(struct tui *t, int argc, char **argv, char **out);
/* a and e everywhere: opens a form to add a record of a kind (id NULL) or edit one. */
void tui_form(struct tui *t, const char *kind, const char *id);
/* d and u everywhere: delete a record after asking, undelete the last one deleted. */
void tui_delete(struct tui *t, const char *id);
void tui_undelete(struct tui *t);
/* Asks a yes/no question on the bottom line. */
bool tui_confirm(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads one key, waiting; resizes and mouse events come back as FK(KEY_RESIZE) / FK(KEY_MOUSE). */
int tui_getkey(void);
/* Suspends curses, runs $EDITOR on text (a temporary file), resumes; *out gets the new text. */
int tui_edit_text(struct tui *t, const char *text, char **out);

/* ---- drawing ---- */
/* Shows the text cursor where curses' cursor is now (call right after le_draw). */
void tui_cursor_here(struct tui *t);
int tui_attr(const struct tui *t, enum role r);
#define ATTR_SEL (-1)
/* Draws s at (y,x) in exactly w columns: terminal-safe, cut with "…", padded with spaces. */
void tui_put(int y, int x, int w, const char *s, int attr);
/* Copies s into out with a capital first letter when it starts with an ASCII lower-case one
 * (an English plural, "customers": "Customers"); a translation as it is. */
void tui_capital(char *out, size_t n, const char *s);
/* Draws a row of tabs; returns the x where each tab starts in xs (n+1 entries). */
void tui_tabs(struct tui *t, int y, const char *const *labels, int n, int active, int *xs);

/* ---- one-line editor ---- */
struct lineedit {
	struct buf text;
	size_t cur; /* byte offset, always on a character boundary */
};
void le_init(struct lineedit *le, const char *s);
void le_free(struct lineedit *le);
/* Returns 1 when the key changed or moved in the text, 0 when the editor does not take it. */
int le_key(struct lineedit *le, int key);
void le_draw(const struct lineedit *le, int y, int x, int w, int attr);

/* ---- record list widget ---- */
struct rlist {
	const struct kindinfo *ki;
	struct query q;
	const struct field *cols[24];
	size_t ncols;
	long total, sel, top;
	struct record **win; /* cached rows [win_off, win_off + win_n) */
	long win_off, win_n;
	int gen;
	int y, h; /* where it was last drawn */
	/* Each column's widest value over the whole list (not the page: widths stay put as you
	 * page), measured once per change (wgen); [0] is the id. */
	int natural[25];
	int wgen;
};
void rlist_init(struct rlist *l, const struct kindinfo *ki);
/* Hides the column for a reference the list is filtered on (the customer in its 360 view). */
void rlist_hide(struct rlist *l, const char *field);
void rlist_free(struct rlist *l);
void rlist_draw(struct tui *t, struct rlist *l, int y, int h);
bool rlist_key(struct tui *t, struct rlist *l, int key);
void rlist_click(struct tui *t, struct rlist *l, int y, bool dbl);
const struct record *rlist_selected(struct tui *t, struct rlist *l);

/* ---- lines widget: text whose lines may link to records ---- */
struct lines {
	struct strv text;
	struct strv links; /* parallel: a record id or "" */
	enum role *roles;
	long sel, top;
	bool selectable;
};
void lines_add(struct lines *l, enum role r, const char *link, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void lines_clear(struct lines *l);
void lines_draw(struct tui *t, struct lines *l, int y, int h);
bool lines_key(struct tui *t, struct lines *l, int key);
void lines_click(struct tui *t, struct lines *l, int y, int row0, bool dbl);

/* ---- board widget: records as cards in columns, one per choice of a field ---- */
typedef void (*board_sub_fn)(struct tui *t, const struct record *card, char *out, size_t n);
struct board {
	const struct field *by; /* the choice field: a task's status, an opportunity's stage */
	struct strv cols;       /* its choices, the columns */
	struct record **cards;  /* borrowed from the owner, in the owner's order */
	size_t n;
	int col, row;           /* the cursor */
	board_sub_fn sub;       /* a card's second line */
	/* A column's heading; NULL: "choice (n)". */
	void (*head)(struct tui *t, const char *choice, const struct record *const *cards, size_t n,
		     char *out, size_t len);
};
void board_init(struct board *b, const struct field *by, board_sub_fn sub);
void board_free(struct board *b);
/* The cards to show (the board keeps the pointers, not the records). */
void board_cards(struct board *b, struct record *const *cards, size_t n);
void board_draw(struct tui *t, struct board *b, int y, int h);
const struct record *board_selected(const struct board *b);
/* Puts the cursor on the card with this id. */
void board_follow(struct board *b, const char *id);
/* h j k l move; H L < > move the card (`rapport set`); Enter opens it. 0: not the board's
 * key; 1: used; 2: a card was moved (its id in moved): the owner reloads its cards and calls
 * board_follow. */
int board_key(struct tui *t, struct board *b, int k, char moved[33]);

/* ---- views ---- */
struct view *view_dashboard(struct tui *t);
/* A list of records of a kind, filtered as on the command line ("status=todo", ...). */
struct view *view_list(struct tui *t, const char *kind, int nfilters, char **filters,
		       struct err *e);
struct view *view_record(struct tui *t, const char *id, struct err *e);
struct view *view_search(struct tui *t);
struct view *view_text(struct tui *t, const char *title, const char *text);
/* A form to add a record of a kind (id NULL) or edit one. */
struct view *view_form(struct tui *t, const char *kind, const char *id, struct err *e);

/* Screen 5: open alerts, acked or snoozed with one key. Opening it evaluates the rules. */
struct view *view_alerts(struct tui *t);
/* Evaluates the rules (`rapport alerts`) and refreshes every screen. */
void tui_evaluate(struct tui *t);
/* The same in a child process, so the screen answers keys while the rules run (seconds on a
 * big workspace); tui_rules_poll notices the end and reloads every screen. */
void tui_evaluate_background(struct tui *t);
void tui_rules_poll(struct tui *t);
/* Screen 7: pending approvals, the user's first; a, r, w decide through `rapport approve`,
 * `reject` and `withdraw`. */
struct view *view_approvals(struct tui *t);
/* Screen 8: opportunities as a board by stage; W wins one through `rapport won`. */
struct view *view_pipeline(struct tui *t);
/* Screen 6: sync state and conflicts, resolved with one key. */
struct view *view_sync(struct tui *t);
/* s anywhere: runs `sync` and reports on the status bar. */
void tui_sync(struct tui *t);
/* The status bar's sync part: " · ↑1 ↓0 · 2 unsynced · 1 conflict (5)" (static storage). */
const char *tui_sync_bar(struct tui *t);
/* Draws the screen now (before a long action). */
void tui_redraw(struct tui *t);

/* Sets a field of a form before it is shown ("customer=<id>"), as a related add does. */
void form_preset(struct tui *t, struct view *form, const char *assignment);


#endif
