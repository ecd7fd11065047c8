"""A small browser for the benchmark: what a kiosk or a signed-in person holds before the load starts.

Plain http.client on 127.0.0.1, keeping cookies as a browser would, so a
scenario's wrk run sends the same Cookie header a real visitor's browser does.
"""

import http.client
import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Browser:
    port: int
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        payload = None
        if body is not None:
            payload = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        data = response.read().decode("utf-8", "replace")
        for value in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(value).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        connection.close()
        return response.status, response.headers, data

    def get(self, path: str, **headers):
        return self.request("GET", path, headers=headers)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def csrf(self, path: str) -> str:
        status, _headers, page = self.get(path)
        match = CSRF_INPUT.search(page)
        if not match:
            raise SystemExit(f"no form on {path} ({status})")
        return match.group(1)

    def sign_in(self, email: str, password: str) -> None:
        token = self.csrf("/login")
        status, headers, _ = self.request("POST", "/login", {"csrf_token": token, "email": email, "password": password})
        if status != 303:
            raise SystemExit(f"could not sign in as {email} ({status})")


def pair_kiosk(port: int, code: str) -> tuple[str, str]:
    """Pair a kiosk as staff would, open its start screen: the cookies and CSRF token a scan needs."""
    kiosk = Browser(port)
    token = kiosk.csrf("/kiosk/pair")
    status, headers, _ = kiosk.request("POST", "/kiosk/pair", {"csrf_token": token, "code": code})
    if status != 303 or "concierge_kiosk" not in kiosk.cookies:
        raise SystemExit(f"pairing the kiosk failed ({status})")
    token = kiosk.csrf("/kiosk/")
    return kiosk.cookie_header(), token
