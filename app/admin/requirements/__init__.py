"""HR: requirement rules (with a preview of their reach), exemptions, manual records, delegation.

services.py holds the rules of the trade, evidence.py the uploaded certificates,
routes.py HR's pages on the admin blueprint (its before_request admits HR only).
"""
