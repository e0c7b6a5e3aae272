"""The exception hierarchy: classes, built-in bases, attributes, pickling."""

from __future__ import annotations

import pickle

import pytest
from imagelookup import errors


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.InvalidParameter, ValueError),
        (errors.InvalidDigest, ValueError),
        (errors.InvalidManifest, ValueError),
        (errors.LimitExceeded, ValueError),
        (errors.DigestMismatch, ValueError),
        (errors.UnsafePath, ValueError),
        (errors.NotFound, LookupError),
        (errors.ImageNotFound, LookupError),
        (errors.PlatformMismatch, LookupError),
        (errors.AmbiguousPrefix, LookupError),
        (errors.StoreError, OSError),
        (errors.RegistryError, OSError),
        (errors.Unauthorized, OSError),
        (errors.Forbidden, OSError),
        (errors.RateLimited, OSError),
        (errors.RegistryUnavailable, OSError),
        (errors.RegistryProtocolError, OSError),
    ],
    ids=lambda v: v.__name__,
)
def test_every_error_is_an_imagelookup_error_and_its_builtin(cls, builtin):
    assert issubclass(cls, errors.ImageLookupError)
    assert issubclass(cls, builtin)


def test_not_found_family():
    assert issubclass(errors.ImageNotFound, errors.NotFound)
    assert issubclass(errors.PlatformMismatch, errors.NotFound)
    assert not issubclass(errors.AmbiguousPrefix, errors.NotFound)
    assert issubclass(errors.InvalidDigest, errors.InvalidParameter)


def test_message_and_attributes_survive_pickling():
    exc = errors.InvalidParameter("invalid reference format", kind="invalid_format")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is errors.InvalidParameter
    assert str(back) == "invalid reference format"
    assert back.kind == "invalid_format"

    exc2 = errors.LimitExceeded("too big", limit=10, size=11)
    back2 = pickle.loads(pickle.dumps(exc2))
    assert (back2.limit, back2.size, str(back2)) == (10, 11, "too big")


def test_all_lists_every_exception():
    exported = {getattr(errors, name) for name in errors.__all__}
    defined = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.ImageLookupError)
    }
    assert exported == defined
