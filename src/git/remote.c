/*
 * remote.c — talking to the team's remote: remotes in the repository config, fetch and push of
 * the one branch, credentials and host checks. libgit2 runs no credential helper and calls the
 * credential callback again after every failure, so this file counts attempts and walks a fixed
 * list: ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa (asking for a passphrase on the
 * terminal when one is needed); for https a token from $RAPPORT_GIT_TOKEN, else `git credential
 * fill`, approved or rejected afterwards. Host keys are checked by libgit2 against known_hosts;
 * an unknown host is refused with its fingerprint so the user can verify and add it.
 */
#include "gitlayer.h"
#include "git_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define MAX_ATTEMPTS 6

/* Progress lines and passphrase prompts only when a person is at a terminal (not in the TUI,
 * not in scripts). */
static bool interactive;

void gitl_interactive(bool on)
{
	interactive = on;
}

struct net {
	const char *remote;
	int attempts;
	bool agent_tried;
	size_t key; /* next key file to try */
	char *key_path;
	bool passphrase_asked;
	char *user, *pass; /* from git credential fill, to approve or reject */
	char *url;
	char tried[512];
	char cert_msg[512];
	bool progress;
	int last_pct;
	char push_status[256];
};

static void tried(struct net *n, const char *what)
{
	size_t l = strlen(n->tried);
	snprintf(n->tried + l, sizeof n->tried - l, "%s%s", l ? ", " : "", what);
}

/* Reads a line from the terminal with echo off; NULL when there is no terminal. */
static char *ask_secret(const char *prompt)
{
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return NULL;
	struct termios old, quiet;
	bool restore = tcgetattr(fileno(tty), &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	fputs(prompt, tty);
	fflush(tty);
	char line[1024];
	char *r = fgets(line, sizeof line, tty) ? xstrdup(line) : NULL;
	if (restore)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (r)
		r[strcspn(r, "\r\n")] = '\0';
	return r;
}

/* Runs `git credential ACTION` with the url; fill reads username and password back. */
static int cred_helper(const char *action, const char *url, char **user, char **pass)
{
	char tmpl[] = "/tmp/rapport-cred-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	fprintf(f, "url=%s\n", url);
	if (strcmp(action, "fill") && *user)
		fprintf(f, "username=%s\n", *user);
	if (strcmp(action, "fill") && *pass)
		fprintf(f, "password=%s\n", *pass);
	fputc('\n', f);
	fclose(f);
	char *cmd = xasprintf("git credential %s < '%s' 2>/dev/null", action, tmpl);
	FILE *p = popen(cmd, "r");
	free(cmd);
	int rc = -1;
	if (p) {
		char line[2048];
		while (fgets(line, sizeof line, p)) {
			line[strcspn(line, "\r\n")] = '\0';
			if (!strcmp(action, "fill") && !strncmp(line, "username=", 9)) {
				free(*user);
				*user = xstrdup(line + 9);
			} else if (!strcmp(action, "fill") && !strncmp(line, "password=", 9)) {
				free(*pass);
				*pass = xstrdup(line + 9);
			}
		}
		rc = pclose(p) == 0 ? 0 : -1;
	}
	unlink(tmpl);
	return rc;
}

static int credentials(git_credential **out, const char *url, const char *user_from_url,
		       unsigned int allowed, void *payload)
{
	struct net *n = payload;
	if (++n->attempts > MAX_ATTEMPTS)
		return GIT_EUSER;
	free(n->url);
	n->url = xstrdup(url);
	const char *user = user_from_url && *user_from_url ? user_from_url : "git";
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user);
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		const char *sock = getenv("SSH_AUTH_SOCK");
		if (!n->agent_tried && sock && *sock) {
			n->agent_tried = true;
			tried(n, "ssh-agent");
			return git_credential_ssh_key_from_agent(out, user);
		}
		n->agent_tried = true;
		/* The key just tried may want a passphrase: ask once, on a terminal. */
		if (n->key_path && !n->passphrase_asked && interactive) {
			n->passphrase_asked = true;
			char *prompt = xasprintf(_("Passphrase for %s: "), n->key_path);
			char *pp = ask_secret(prompt);
			free(prompt);
			if (pp) {
				int rc = git_credential_ssh_key_new(out, user, NULL, n->key_path, pp);
				free(pp);
				return rc;
			}
		}
		static const char *const keys[] = { "id_ed25519", "id_ecdsa", "id_rsa" };
		const char *home = getenv("HOME");
		while (home && n->key < ARRAY_LEN(keys)) {
			char *path = xasprintf("%s/.ssh/%s", home, keys[n->key++]);
			struct stat sb;
			if (stat(path, &sb) == 0) {
				free(n->key_path);
				n->key_path = path;
				n->passphrase_asked = false;
				tried(n, path);
				return git_credential_ssh_key_new(out, user, NULL, path, NULL);
			}
			free(path);
		}
		return GIT_EUSER;
	}
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		const char *token = getenv("RAPPORT_GIT_TOKEN");
		if (token && *token && n->attempts == 1) {
			const char *tu = getenv("RAPPORT_GIT_USER");
			tried(n, "$RAPPORT_GIT_TOKEN");
			return git_credential_userpass_plaintext_new(out, tu && *tu ? tu : "x-access-token",
								     token);
		}
		if (!n->pass) {
			n->user = user_from_url && *user_from_url ? xstrdup(user_from_url) : NULL;
			if (cred_helper("fill", url, &n->user, &n->pass) == 0 && n->user && n->pass) {
				tried(n, "git credential");
				return git_credential_userpass_plaintext_new(out, n->user, n->pass);
			}
		}
		return GIT_EUSER;
	}
	return GIT_EUSER;
}

static void base64(char *out, size_t outn, const unsigned char *in, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < outn; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = t[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = t[v & 63];
	}
	out[o] = '\0';
}

static int certificate(git_cert *cert, int valid, const char *host, void *payload)
{
	struct net *n = payload;
	if (valid)
		return 0;
	if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2) {
		const git_cert_hostkey *hk = (const git_cert_hostkey *)cert;
		char fp[64] = "unknown";
		if (hk->type & GIT_CERT_SSH_SHA256)
			base64(fp, sizeof fp, hk->hash_sha256, sizeof hk->hash_sha256);
		snprintf(n->cert_msg, sizeof n->cert_msg,
			 _("the host key of %s is not in ~/.ssh/known_hosts (SHA256:%s); check the "
			   "fingerprint, then add the host with ssh-keyscan or by connecting once with ssh"),
			 host, fp);
	} else
		snprintf(n->cert_msg, sizeof n->cert_msg,
			 _("the TLS certificate of %s is not trusted"), host);
	return GIT_ECERTIFICATE;
}

static int progress(const git_indexer_progress *s, void *payload)
{
	struct net *n = payload;
	if (!n->progress || !s->total_objects)
		return 0;
	int pct = (int)(100.0 * s->received_objects / s->total_objects);
	if (pct != n->last_pct) {
		n->last_pct = pct;
		fputc('\r', stderr);
		fprintf(stderr, _("Receiving snapshots: %3d%% (%u/%u), %.1f MiB"), pct,
			s->received_objects, s->total_objects, s->received_bytes / 1048576.0);
		if (s->received_objects == s->total_objects)
			fputc('\n', stderr);
	}
	return 0;
}

static int push_progress(unsigned current, unsigned total, size_t bytes, void *payload)
{
	struct net *n = payload;
	if (n->progress && total) {
		fputc('\r', stderr);
		fprintf(stderr, _("Sending snapshots: %3u%% (%u/%u)%s"), 100 * current / total, current,
			total, current == total ? "\n" : "");
	}
	return 0;
}

static int push_ref(const char *ref, const char *status, void *payload)
{
	struct net *n = payload;
	if (status)
		snprintf(n->push_status, sizeof n->push_status, "%s", status);
	return 0;
}

static void net_init(struct net *n, const char *remote, git_remote_callbacks *cb)
{
	memset(n, 0, sizeof(*n));
	n->remote = remote;
	n->last_pct = -1;
	n->progress = interactive;
	cb->credentials = credentials;
	cb->certificate_check = certificate;
	cb->transfer_progress = progress;
	cb->push_transfer_progress = push_progress;
	cb->push_update_reference = push_ref;
	cb->payload = n;
}

/* After the operation: tell the credential helper whether its password worked. */
static void net_done(struct net *n, bool ok)
{
	if (n->pass && n->url)
		cred_helper(ok ? "approve" : "reject", n->url, &n->user, &n->pass);
	free(n->user);
	free(n->pass);
	free(n->url);
	free(n->key_path);
}

static int net_fail(struct net *n, struct err *e, int rc, const char *what)
{
	const git_error *ge = git_error_last();
	if (n->cert_msg[0])
		return err_set(e, RERR_RUNTIME, "%s: %s", n->remote, n->cert_msg);
	if (n->attempts > 0 && (rc == GIT_EUSER || rc == GIT_EAUTH ||
				(ge && ge->message && strstr(ge->message, "auth")))) {
		if (n->tried[0])
			return err_set(e, RERR_RUNTIME,
				       "%s: authentication failed (tried %s); check the key or token "
				       "and that the remote grants access",
				       n->remote, n->tried);
		return err_set(e, RERR_RUNTIME,
			       "%s: authentication failed; check the key or token and that the "
			       "remote grants access",
			       n->remote);
	}
	return err_set(e, RERR_RUNTIME, "%s: %s: %s", n->remote, what,
		       ge && ge->message ? ge->message : _("failed"));
}

static int lookup(struct gitl *g, const char *name, git_remote **r, struct err *e)
{
	int rc = git_remote_lookup(r, g->repo, name);
	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
		return err_set(e, RERR_INPUT, "no remote '%s' (see rapport remote list)", name);
	return rc ? gitl_fail(e, rc, name) : 0;
}

int gitl_remote_add(struct gitl *g, const char *name, const char *url, struct err *e)
{
	git_remote *r = NULL;
	char *spec = xasprintf("+refs/heads/main:refs/remotes/%s/main", name);
	int valid = 0;
	git_remote_name_is_valid(&valid, name);
	if (!valid) {
		free(spec);
		return err_set(e, RERR_INPUT, "'%s' is not a valid remote name", name);
	}
	int rc = git_remote_create_with_fetchspec(&r, g->repo, name, url, spec);
	free(spec);
	git_remote_free(r);
	if (rc == GIT_EEXISTS)
		return err_set(e, RERR_INPUT, "remote '%s' already exists", name);
	return rc ? err_set(e, RERR_INPUT, "remote %s: %s", name,
			    git_error_last() ? git_error_last()->message : "invalid")
		  : 0;
}

int gitl_remote_remove(struct gitl *g, const char *name, struct err *e)
{
	git_remote *r;
	int rc = lookup(g, name, &r, e);
	if (rc)
		return rc;
	git_remote_free(r);
	return (rc = git_remote_delete(g->repo, name)) ? gitl_fail(e, rc, name) : 0;
}

int gitl_remote_list(struct gitl *g, struct strv *names, struct strv *urls, struct err *e)
{
	git_strarray a = { 0 };
	int rc = git_remote_list(&a, g->repo);
	if (rc)
		return gitl_fail(e, rc, _("remotes"));
	for (size_t i = 0; i < a.count; i++) {
		git_remote *r;
		if (git_remote_lookup(&r, g->repo, a.strings[i]))
			continue;
		strv_push(names, a.strings[i]);
		strv_push(urls, git_remote_url(r) ? git_remote_url(r) : "");
		git_remote_free(r);
	}
	git_strarray_dispose(&a);
	return 0;
}

int gitl_fetch(struct gitl *g, const char *remote, struct err *e)
{
	git_remote *r;
	git_fetch_options o;
	git_fetch_options_init(&o, GIT_FETCH_OPTIONS_VERSION);
	struct net n;
	int rc = lookup(g, remote, &r, e);
	if (rc)
		return rc;
	net_init(&n, remote, &o.callbacks);
	o.prune = GIT_FETCH_NO_PRUNE;
	o.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	char *spec = xasprintf("+refs/heads/main:refs/remotes/%s/main", remote);
	git_strarray specs = { &spec, 1 };
	rc = git_remote_fetch(r, &specs, &o, "rapport: fetch");
	free(spec);
	if (rc)
		net_fail(&n, e, rc, "fetch");
	net_done(&n, rc == 0);
	git_remote_free(r);
	return rc ? RERR_RUNTIME : 0;
}

int gitl_push(struct gitl *g, const char *remote, struct err *e)
{
	git_remote *r;
	git_push_options o;
	git_push_options_init(&o, GIT_PUSH_OPTIONS_VERSION);
	o.pb_parallelism = 0; /* pack with every core: the first push of a big workspace is large */
	struct net n;
	int rc = lookup(g, remote, &r, e);
	if (rc)
		return rc;
	net_init(&n, remote, &o.callbacks);
	/* No '+': never a forced update. */
	char *spec = "refs/heads/main:refs/heads/main";
	git_strarray specs = { &spec, 1 };
	rc = git_remote_push(r, &specs, &o);
	const git_error *ge = rc ? git_error_last() : NULL;
	bool rejected = n.push_status[0] || rc == GIT_ENONFASTFORWARD ||
			(rc && ge && ge->message &&
			 (strstr(ge->message, "non-fast-forward") || strstr(ge->message, "fetch first")));
	if (rejected)
		rc = err_set(e, GITL_REJECTED, "%s: the remote has new snapshots (%s)", remote,
			     n.push_status[0] ? n.push_status : "non-fast-forward");
	else if (rc)
		rc = net_fail(&n, e, rc, "push");
	net_done(&n, rc == 0 || rejected);
	git_remote_free(r);
	return rc;
}
