"""The client's services: one family of operations each, composed by the facade.

:class:`~sonnys_async.AsyncBackofficeClient` builds them in its constructor and hands each the
services it needs; no service inherits from another, and each module's imports show what it
depends on. From the bottom up:

* ``gateway``: page GETs, form submits, reading a bounced form's messages (over the transport).
* ``catalogue``: sites, departments, POS and Backoffice templates (cached per client).
* ``roster``: roster and user-list reads, availability checks, lookups by key, edit pages.
* ``profiles``: employee snapshots (profile, compensation, permission).
* ``pos_access`` / ``bo_access``: the POS permissions form and the Backoffice access form.
* ``users``: Backoffice users (create, deactivate, find the linked ones).
* ``hire_plan`` + ``hiring``: ``create_employee`` (plan, pre-flight, insert, template, verify).
* ``employee_form``: the employee update form (post, settle, verify).
* ``offboarding``: ``disable_employee``; ``compensation`` + ``changes``: ``modify_employee``.
* ``contacts``: the index of taken POS User IDs, e-mails, phones and usernames.
* ``preflight``: ``preflight_employees``; ``bulk_ops``: the bulk streams.
* ``user_admin`` + ``user_changes``: Backoffice users read, reactivated, their password reset,
  their template, sites, e-mail and username changed.
* ``rehiring``: ``rehire_employee``; ``bulk_lifecycle`` + ``bulk_users``: their bulk streams.
* ``sync_snapshot`` + ``sync_match`` + ``sync_plan``: ``plan_roster_sync``; ``sync_apply``:
  ``apply_plan``.

``docs/architecture.md`` follows one ``create_employee`` call through them.
"""
