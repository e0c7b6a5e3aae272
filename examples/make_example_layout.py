"""Write the example OCI layout under ``examples/oci-layout`` (or the directory given).

The layout holds one multi-platform image, ``demo:1.0``, for linux/amd64, linux/arm64/v8
(whose config, like many real arm64 images, has no variant) and linux/arm/v7, each with a
BuildKit-style attestation manifest. ``index.json`` names it twice, as tools do: by the
short tag ``1.0`` (as ``skopeo copy … oci:DIR:1.0`` writes) and by the full name
``docker.io/library/demo:1.0`` (as BuildKit and ``ctr export`` write).

The bytes are deterministic: running the script again reproduces the committed layout
exactly (``tests/test_store_oci_layout.py`` checks this). Usage::

    python examples/make_example_layout.py [DIR]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from imagebuild import LayoutBuilder  # noqa: E402

PLATFORMS = [("linux", "amd64", ""), ("linux", "arm64", "v8"), ("linux", "arm", "v7")]


def make(root: Path) -> Path:
    """Write the example layout at ``root`` (replacing what is there); ``root``."""
    if root.exists():
        shutil.rmtree(root)
    builder = LayoutBuilder(root)
    demo = builder.multi_platform(
        "demo",
        PLATFORMS,
        attestations=True,
        config_platforms={("linux", "arm64", "v8"): ("linux", "arm64", "")},
    )
    builder.tag(demo, "1.0", "docker.io/library/demo:1.0")
    return builder.write()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "oci-layout"
    print(make(target))
