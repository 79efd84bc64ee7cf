"""The quickstart page's snippets (seed 001) as one script, its import changed to
``sonnys_async.compat``.

Reconstruction: step 2, then step 5's pre-flight checks (the page: "check before building the
request"), then step 3; step 4 (disable the employee) has prose but no code on the page: its one
call, with "the same pos_user_id that was used to create the employee", closes step 3's block.
"""

# 2. Store credentials outside your code
import os

subdomain = os.environ["SONNYS_SUBDOMAIN"]  # e.g. "washu"
username = os.environ["SONNYS_BOT_USERNAME"]
password = os.environ["SONNYS_BOT_PASSWORD"]

# 5. Pre-flight uniqueness checks
from sonnys_async.compat import SonnysBackofficeClient

with SonnysBackofficeClient(subdomain=subdomain, username=username, password=password) as client:
    if not client.is_pos_user_id_available(12345):
        raise RuntimeError("POS ID 12345 is already taken")
    if not client.is_email_available("jane.doe@example.com"):
        raise RuntimeError("email collision")

# 3. Create a client and call create_employee
from datetime import datetime
from decimal import Decimal
from sonnys_async.compat import SonnysBackofficeClient

with SonnysBackofficeClient(
    subdomain=subdomain,
    username=username,
    password=password,
) as client:
    result = client.create_employee(
        first_name="Jane",
        last_name="Doe",
        phone="6155551234",
        email="jane.doe@example.com",
        pos_user_id=12345,
        wage_rate=Decimal("15.50"),
        start_date=datetime(2026, 5, 1),
        available_sites=["Wash 37135"],
        permission="General User",
    )
    print(f"Employee ID: {result.employee_id}")
    print(f"POS User ID: {result.pos_user_id}")
    print(f"POS PIN: {result.pos_pin}")
    print(f"Wage site: {result.wage_site}")
    if result.warnings:
        for w in result.warnings:
            print(f"warning: {w}")

    # 4. Disable the employee
    client.disable_employee(pos_user_id=12345)
