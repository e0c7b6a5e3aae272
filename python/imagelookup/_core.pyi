"""Type stub of the Rust extension ``imagelookup._core``; checked by ``mypy.stubtest``."""

from typing import final

__version__: str

# --- platforms ---

@final
class Matcher:
    """A platform matcher (see :mod:`imagelookup.platforms`)."""

# --- reference and digest ---

# --- manifests ---
