vcl 4.1;
# Varnish (or a CDN that speaks VCL or HTTP PURGE) in front of 品质烟台
# (docs/deployment.md, "3. Several app servers": "Varnish or a CDN further out").
#
#   varnishd -a :6081 -f /etc/varnish/yantai.vcl -s malloc,1g
#
# It caches what nginx caches, by the same rules (deploy/nginx/yantai.conf): a
# response only when its Cache-Control allows a shared cache and it sets no cookie;
# never a request with the session cookie (logged-in staff); an article page once
# whatever its query string. The app servers purge the pages a publication, a
# correction or a withdrawal makes stale (FRONTEND_CACHE_PURGE_URLS,
# news/frontcache.py), so a withdrawn article is gone from here at once.
# Varnish appends the client's address to X-Forwarded-For: count it in the app's
# DJANGO_NUM_PROXIES (2 with the nginx of deploy/nginx/ behind it).
# Checked in front of a real gunicorn by tests/test_varnish.py.

# The app (or the nginx in front of the app servers); adapt the address.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 5s;
    .first_byte_timeout = 60s;
}

# Who may purge: the app servers (FRONTEND_CACHE_PURGE_URLS points here).
acl yantai_purgers {
    "127.0.0.1";
    "::1";
    # "10.0.0.0"/24;   # the app servers
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ yantai_purgers) {
            return (synth(403, "Forbidden"));
        }
        # The scheme readers use (the purge may come over plain HTTP for https://
        # pages): part of the key, as below.
        if (req.http.X-Yantai-Scheme == "https") {
            set req.http.X-Forwarded-Proto = "https";
        } else {
            set req.http.X-Forwarded-Proto = "http";
        }
        return (purge);
    }
    # The scheme of the reader's connection, never taken from the client. Behind a
    # TLS terminator (a load balancer, hitch) that sets X-Forwarded-Proto itself,
    # delete this line.
    set req.http.X-Forwarded-Proto = "http";
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Logged-in staff: neither read nor fill the cache (Django's SESSION_COOKIE_NAME).
    if (req.http.Cookie ~ "(^|;\s*)sessionid=" || req.http.Authorization) {
        return (pass);
    }
    # An article page is the same page whatever its query string (a shared link's
    # ?from=timeline&isappinstalled=0): one copy, under its path.
    set req.url = regsub(req.url, "^(/en)?(/news/[0-9]+/)\?.*$", "\1\2");
    # Other cookies (the reader's 字号 choice, csrftoken) do not change a public
    # page: the app sends those with Cache-Control: public and no Vary. Looked up
    # whatever they are; a page that reads them is private and not stored.
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    hash_data(req.http.host);
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_backend_response {
    # Nothing is stored that the app does not mark for shared caches (public,
    # s-maxage or max-age): private pages, pages with messages, the admin.
    if (beresp.http.Cache-Control !~ "(public|s-maxage|max-age)"
        || beresp.http.Cache-Control ~ "(private|no-store|no-cache)"
        || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # Varnish takes the time to keep from s-maxage (else max-age), and serves a copy
    # past it for its stale-while-revalidate while it fetches the next one.
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache-Status = "HIT";
    } else {
        set resp.http.X-Cache-Status = "MISS";
    }
}
