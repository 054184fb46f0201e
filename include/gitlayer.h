/*
 * gitlayer.h — everything rapport asks of git, through libgit2. Only src/git includes <git2.h>.
 * For now: the user's identity from git's configuration (user.name, user.email), which rapport
 * uses when its own config does not set one. Snapshots and sync build on this layer.
 */
#ifndef RAPPORT_GITLAYER_H
#define RAPPORT_GITLAYER_H

/* Reads user.name and user.email from git's global and system configuration. Either may come
 * back NULL; the caller frees both. Never fails: no git config simply means no identity. */
void gitl_identity(char **name, char **email);

#endif
