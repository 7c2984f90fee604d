"""Checks on written HTML reports, shared by the report and comparison tests."""

import re

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?https?:""",
                      re.IGNORECASE)


def assert_self_contained(text, strict=True):
    assert not EXTERNAL.search(text), EXTERNAL.search(text)
    if not strict:  # user text may mention a URL, escaped, as plain text
        return
    outside_images = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    assert not re.search(r"cdn|https?://", outside_images, re.IGNORECASE)
