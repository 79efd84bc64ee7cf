"""The "Creating a Backoffice User" page's snippets (seed 002) as one script, its import changed
to ``sonnys_async.compat``.

Reconstruction: the page's ``SonnysBackofficeClient(...)`` is spelled out as in the onboarding
script (seed 000). Linked mode by POS User ID, or with ``--by-email`` its alternative (the same
user, looked up by e-mail), then standalone mode. The employee (POS User ID 12345,
jane.doe@example.com) must exist and be active, as the page says.
"""

import os
import sys

from sonnys_async.compat import SonnysBackofficeClient

# Linked mode
with SonnysBackofficeClient(
    subdomain=os.environ["SONNYS_SUBDOMAIN"],
    username=os.environ["SONNYS_BOT_USERNAME"],
    password=os.environ["SONNYS_BOT_PASSWORD"],
) as client:
    if "--by-email" not in sys.argv:
        result = client.create_backoffice_user(
            username="janedoe",
            email="jane.doe@example.com",
            permission="Manager",
            link_to_employee_pos_user_id="12345",
        )
        print(result.user_id, result.password)
    else:
        # Alternatively, look up by email:
        result = client.create_backoffice_user(
            username="janedoe",
            email="jane.doe@example.com",
            permission="Manager",
            link_to_employee_email="jane.doe@example.com",
        )

    # Standalone mode
    result = client.create_backoffice_user(
        username="districtmgr",
        email="dm@example.com",
        first_name="District",
        last_name="Manager",
        permission="Administrator",
    )
