"""A SAML 2.0 identity provider for the tests, built on pysaml2's own server (saml2.server).

`idp.py` holds the identity provider (keys, configuration, responses, also tampered ones
for the refusal tests); `__main__.py` serves it as a small WSGI app in its own process
(`python -m tests.idp.saml`), with a login form, its metadata and single logout.
"""
