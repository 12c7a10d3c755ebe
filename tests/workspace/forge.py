#!/usr/bin/env python3
"""forge.py PORTFILE LOG - a forge's REST API, GitHub's shape, for
workspace-project.t: GET /api/v3/orgs/ORG/repos and /api/v3/users/USER/repos
on 127.0.0.1 (a free port, written to PORTFILE once it listens).  Each
request is logged to LOG as "PATH auth=none|ok|bad".  The organisations:
  work-org     7 repositories over 4 pages of 2, linked by Link headers
               (one fork, one archived, the org's workspace, one the git
               server lacks, one named "..")
  me           no organisation (404): the user's 1 repository, pages
               without Link headers
  private-org  401 without the token "s3cret-token"; with it, one
               repository and a nearly used-up rate limit
  limited      403, the rate limit used up
  evil         a next page on another server
Repository objects carry the fields GitHub documents for "List
organization repositories" (a clone_url pointing nowhere, which sesame
must not use)."""
import http.server
import json
import os
import sys
import time

TOKEN = "s3cret-token"
PER_PAGE = 2


def repo(org, name, fork=False, archived=False):
    full = f"{org}/{name}"
    return {
        "id": abs(hash(full)) % 10**8, "node_id": "R_kgDO" + name, "name": name, "full_name": full,
        "private": False, "owner": {"login": org, "id": 1, "type": "Organization", "site_admin": False},
        "html_url": f"https://forge.invalid/{full}", "description": f"the {name} repository", "fork": fork,
        "url": f"https://forge.invalid/api/v3/repos/{full}", "clone_url": f"https://forge.invalid/{full}.git",
        "ssh_url": f"git@forge.invalid:{full}.git", "git_url": f"git://forge.invalid/{full}.git",
        "homepage": None, "size": 108, "stargazers_count": 3, "watchers_count": 3, "language": "C",
        "forks_count": 0, "archived": archived, "disabled": False, "open_issues_count": 0,
        "license": None, "topics": ["sesame"], "visibility": "public", "default_branch": "main",
        "permissions": {"admin": False, "push": False, "pull": True},
        "created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-11-30T10:00:00Z",
        "pushed_at": "2026-11-30T10:00:00Z",
    }


ORGS = {
    "work-org": [repo("work-org", "api"), repo("work-org", "web"), repo("work-org", "forked", fork=True),
                 repo("work-org", "old", archived=True), repo("work-org", "workspace"),
                 repo("work-org", "missing"), repo("work-org", "..")],
}
USERS = {"me": [repo("me", "blog")]}


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        args = dict(p.partition("=")[::2] for p in query.split("&") if p)
        page = int(args.get("page", "1"))
        auth = self.headers.get("Authorization")
        state = "none" if auth is None else "ok" if auth == "Bearer " + TOKEN else "bad"
        with open(LOG, "a") as f:
            f.write(f"{self.path} auth={state}\n")
        parts = path.strip("/").split("/")
        if len(parts) != 5 or parts[:2] != ["api", "v3"] or parts[4] != "repos":
            return self.answer(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        kind, name = parts[2], parts[3]
        base = f"http://127.0.0.1:{PORT}/api/v3/{kind}/{name}/repos"
        limits = [("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "57"),
                  ("X-RateLimit-Reset", str(int(time.time()) + 3600)), ("X-RateLimit-Used", "3")]
        if kind == "orgs" and name == "work-org":
            repos = ORGS[name]
            last = (len(repos) + PER_PAGE - 1) // PER_PAGE
            links = []
            if page < last:
                links.append(f'<{base}?per_page={PER_PAGE}&page={page + 1}>; rel="next"')
            links.append(f'<{base}?per_page={PER_PAGE}&page={last}>; rel="last"')
            return self.answer(200, repos[(page - 1) * PER_PAGE:page * PER_PAGE], limits + [("Link", ", ".join(links))])
        if kind == "users" and name in USERS:
            return self.answer(200, USERS[name] if page == 1 else [], limits)
        if kind == "orgs" and name == "private-org":
            if state != "ok":
                return self.answer(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
            low = [("X-RateLimit-Remaining", "3"), ("X-RateLimit-Reset", str(int(time.time()) + 600))]
            return self.answer(200, [repo(name, "secret-repo")] if page == 1 else [], low)
        if kind == "orgs" and name == "limited":
            return self.answer(403, {"message": "API rate limit exceeded for 127.0.0.1.",
                                     "documentation_url": "https://docs.github.com/rest/overview/rate-limits"},
                               [("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "0"),
                                ("X-RateLimit-Reset", str(int(time.time()) + 1800))])
        if kind == "orgs" and name == "evil":
            return self.answer(200, [repo(name, "bait")],
                               [("Link", '<http://evil.example.com/api/v3/orgs/evil/repos?page=2>; rel="next"')])
        return self.answer(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

    def log_message(self, *args):
        pass


LOG = sys.argv[2]
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
PORT = server.server_address[1]
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(PORT))

os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
