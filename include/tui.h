/*
 * tui.h — the terminal UI's entry point for the rest of rapport. Only src/tui includes curses.
 */
#ifndef RAPPORT_TUI_H
#define RAPPORT_TUI_H

#include "cmd.h"

/* The `tui` command: runs the full-screen interface on c's workspace until the user quits. */
extern const struct command cmd_tui;

#endif
