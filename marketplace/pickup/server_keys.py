"""Keys the server derives from SECRET_KEY, one per purpose (HKDF-SHA256), so none is reused."""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

DEVICE_KEYS = b"landkorb/station-device-keys/v1"
PICKUP_CODES = b"landkorb/pickup-codes/v1"
PICKUP_CODE_TEXT = b"landkorb/pickup-code-text/v1"


def derive_key(purpose: bytes, secret_key: str | None = None) -> bytes:
    """32 bytes for `purpose` from SECRET_KEY (the app's, unless one is given)."""
    secret = secret_key if secret_key is not None else current_app.config["SECRET_KEY"]
    if not secret:
        raise RuntimeError("SECRET_KEY is not set: device keys and pickup codes need it")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


def device_key_cipher(secret_key: str | None = None) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(DEVICE_KEYS, secret_key)))


def pickup_code_cipher(secret_key: str | None = None) -> Fernet:
    """Encrypts a pickup code's digits so its resident can be shown them again."""
    return Fernet(base64.urlsafe_b64encode(derive_key(PICKUP_CODE_TEXT, secret_key)))
