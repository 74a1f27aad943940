"""WebAuthn authenticators: the default one over the ``fido2`` library (a security key over USB HID, or the
Windows WebAuthn API), and the loader that picks one by configuration (``[passkeys] authenticator``).

Nothing here imports ``fido2`` at import time: it loads when a passkey is made or used."""
