"""Logging a test browser in as a person does: open the /web link, press 登录."""

from __future__ import annotations


def log_in(client, token: str):
    """Opens the login link, checks it only asks, posts the form; returns the POST's response
    (303 to the dashboard with the cookie when the link is live)."""
    page = client.get(f"/login?token={token}", follow_redirects=False)
    assert "set-cookie" not in page.headers  # opening the link alone logs nobody in
    return client.post("/login", data={"token": token}, follow_redirects=False)
