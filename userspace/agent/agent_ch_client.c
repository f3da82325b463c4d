// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP client of the ClickHouse sink. Requests are bounded in time (a
 * server that stops answering must not hold rows forever: they go to the
 * spool instead) and answers in size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <zlib.h>

#include "agent/agent_ch_client.h"

#define CONNECT_TIMEOUT_MS 2000L
#define REQUEST_TIMEOUT_MS 15000L
#define ANSWER_MAX 4096

struct ch_client {
	CURL *curl;
	char *url;
};

struct answer {
	char buf[ANSWER_MAX];
	size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n, room = sizeof(a->buf) - 1 - a->len;

	memcpy(a->buf + a->len, p, len < room ? len : room);
	a->len += len < room ? len : room;
	return len;	/* the rest is dropped, not an error */
}

int ch_client__new(const char *url, struct ch_client **out, char *err, size_t errlen)
{
	struct ch_client *c;

	*out = NULL;
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		snprintf(err, errlen, "'%s' is not an http:// or https:// URL", url);
		return -EINVAL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		snprintf(err, errlen, "libcurl could not be initialised");
		return -ENOMEM;
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->curl = curl_easy_init();
	if (c && c->curl)
		c->url = strdup(url);
	if (!c || !c->curl || !c->url) {
		ch_client__free(c);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void ch_client__free(struct ch_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->url);
	free(c);
	curl_global_cleanup();
}

static char *request_url(struct ch_client *c, const char *query)
{
	char *esc, *u = NULL;

	if (!query)
		return strdup(c->url);
	esc = curl_easy_escape(c->curl, query, 0);
	if (esc && asprintf(&u, "%s%squery=%s", c->url, strchr(c->url, '?') ? "&" : "?", esc) < 0)
		u = NULL;
	curl_free(esc);
	return u;
}

static int transport_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	default: return -EIO;
	}
}

int ch_client__post(struct ch_client *c, const char *query, const void *body, size_t len,
		    bool gzip, char *answer, size_t alen, char *err, size_t errlen)
{
	struct curl_slist *hdr = NULL;
	struct answer a = { .len = 0 };
	char *u = request_url(c, query);
	long status = 0;
	CURLcode rc;
	int ret = 0;

	if (!u)
		return -ENOMEM;
	if (gzip)
		hdr = curl_slist_append(hdr, "Content-Encoding: gzip");
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, u);
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(c->curl);
	a.buf[a.len] = '\0';
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		ret = transport_error(rc);
	} else if (curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status), status != 200) {
		/* ClickHouse's message: first line, e.g. "Code: 60, e.displayText() = ..." */
		a.buf[strcspn(a.buf, "\n")] = '\0';
		snprintf(err, errlen, "HTTP %ld: %.300s", status, a.buf);
		ret = -EPROTO;
	} else if (answer && alen) {
		snprintf(answer, alen, "%s", a.buf);
	}
	curl_slist_free_all(hdr);
	free(u);
	return ret;
}

int ch_gzip(const void *in, size_t len, void **out, size_t *outlen)
{
	z_stream z = { 0 };
	size_t cap;
	unsigned char *buf;

	*out = NULL;
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&z, len);
	buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = len;
	z.next_out = buf;
	z.avail_out = cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(buf);
		return -ENOMEM;
	}
	*outlen = z.total_out;
	*out = buf;
	deflateEnd(&z);
	return 0;
}
