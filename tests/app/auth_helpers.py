"""Small helpers shared by the sign-in, two-factor, lockout and session tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import Role, User

PASSWORD = "correct horse battery staple"


def user_of(db: Session, org: Any, role: Role) -> User:
    user: User = org.members[role].user
    db.refresh(user)
    return user


def password_step(web: Any, email: str, password: str = PASSWORD) -> Any:
    return web.client.post("/login", data={
        "email": email, "password": password, "csrf_token": web.csrf_token("/login")})


def post_code(web: Any, code: str) -> Any:
    return web.client.post("/login/code", data={
        "code": code, "csrf_token": web.csrf_token("/login/code")})


def sign_out(web: Any) -> None:
    web.client.post("/logout", data={"csrf_token": web.csrf_token("/")})


def second_browser(app: Any, web: Any) -> Any:
    """Another client (its own cookies) driven like ``web``."""
    return type(web)(app.test_client(), web.totp)
