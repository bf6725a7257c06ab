"""Locust users for bench/load_test.py: employees on their start page, managers on their unit."""

from __future__ import annotations

import itertools
import os
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "")
EMPLOYEES = itertools.cycle(os.environ.get("LOAD_EMPLOYEES", "").split(","))
MANAGERS = itertools.cycle(os.environ.get("LOAD_MANAGERS", "").split(","))
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _LoggedIn(HttpUser):
    abstract = True
    wait_time = between(0.05, 0.2)
    emails: itertools.cycle

    def on_start(self) -> None:
        page = self.client.get("/logga-in", name="/logga-in")
        token = TOKEN.search(page.text).group(1)
        response = self.client.post(
            "/logga-in",
            data={"email": next(self.emails), "password": PASSWORD, "csrf_token": token},
            name="/logga-in [POST]",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"login failed: {response.status_code}")


class Employee(_LoggedIn):
    weight = 9
    emails = EMPLOYEES

    @task
    def start_page(self) -> None:
        self.client.get("/", name="/ (start page)")


class Manager(_LoggedIn):
    weight = 1
    emails = MANAGERS

    @task(3)
    def start_page(self) -> None:
        self.client.get("/", name="/ (start page)")

    @task(1)
    def my_unit(self) -> None:
        self.client.get("/enheter/", name="/enheter/ (my units)")
