"""Every alert string the rules answer with (§16.2).

Strings under "(sandbox)" are not server captures but documented choices (docs/sandbox.md).
"""

from __future__ import annotations

MSG_FIRST_NAME = "First Name must be  between 1 and 64 characters long."
MSG_LAST_NAME = "Last Name must be  between 1 and 64 characters long."
MSG_DEPARTMENTS = "Departments requires no less than 1 valid selection."
MSG_START_DATE = "Start Date must be a valid date."
MSG_AVAILABLE = "Available To Work requires no less than 1 valid selection."
MSG_ASSIGN_SITE = (
    "The employee must be assigned to at least one site. Please select a site where \n"
    "            the employee is Available to Work or set to inactive if they are no longer "
    "employed."
)
MSG_POS_ID = "POS Login ID must be a number which is no less than 1 and has no decimals."
MSG_POS_PIN = "POS Login Password must be a number which is no less than 1 and has no decimals."
MSG_USER_INACTIVE_EMPLOYEE = (
    "Unable to save the user information. Please make sure that the related employee is active "
    "and try again."
)
MSG_ACCESSIBLE_SITES = "Accessible Sites requires no less than 1 valid selection."
MSG_UNKNOWN_USER = "Unable to locate user."
# Contract-decided strings for unknowns (CONTRACTS.md, §20.3).
MSG_DUP_POS = "That POS user ID is already in use!"
MSG_DUP_EMAIL = "That email address is already in use."
MSG_DUP_PHONE = "That phone number is already in use."
MSG_DUP_USERNAME = "That username is already in use."
# (sandbox) strings for checks the captures never showed.
MSG_UNKNOWN_EMPLOYEE = "Unable to locate employee."
MSG_RATE = "Regular Rate must be a number between 0 and 999999999.99."
MSG_OT_RATE = "Overtime Rate must be a number between 0 and 999999999.99."
MSG_WAGE_SITE = "Employee Labor Site requires a valid selection."
MSG_EFFECTIVE_DATE = "Effective Date must be a valid date."
# Only with ``SandboxOptions.reject_wage_not_after_latest`` (the page's help text as message).
MSG_WAGE_NOT_AFTER = (
    "The effective date for a new wage must be at least a day after the effective date of the "
    "latest wage."
)
MSG_PHONE_LONG = "Phone must be at most 20 characters long."
MSG_EMAIL_REQUIRED = "Email must be a valid email address."
MSG_USERNAME = "Username must start with a letter and contain 3 to 64 alpha-numeric characters."
MSG_PASSWORD = (
    "Password and Confirm Password must match and have at least 8 alpha-numeric characters."
)
MSG_BO_FIRST = "First Name must be  between 2 and 64 characters long."
MSG_BO_LAST = "Last Name must be  between 2 and 64 characters long."
MSG_EMPLOYEE_HAS_USER = "That employee already has a Back Office user."
# Login answers (contract A, §20.1, §20.16).
MSG_INVALID_CREDENTIALS = "Invalid credentials."
MSG_THROTTLED = "Too many failed login attempts, please try again in 1 minute."
