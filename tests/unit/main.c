/* main.c — runs every unit suite and prints the summary line `make check` adds up. */
#include "t.h"

#include <locale.h>
#include <stdlib.h>

int t_pass, t_fail;

int main(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	setenv("RAPPORT_NOW", "2026-11-22T09:00:00Z", 1);
	suite_util();
	suite_values();
	suite_store();
	suite_workspace();
	suite_format();
	suite_csv();
	suite_merge();
	suite_rules();
	suite_calendar();
	suite_synopsis();
	printf("unit: %d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}
