"""The one text-normalisation step every stage shares: NFKC, then traditional → simplified with OpenCC.

Both the extraction's matching form (:func:`graph_builder.normalize.to_match`) and the linkers'
(:func:`graph_builder.link.text.simplify`) start from :func:`simplified`, in this order, so a
traditional-script plan and a simplified one meet in the same form. Without OpenCC the Zhejiang plan
would silently stop linking, so a missing or broken OpenCC is a :class:`ConfigError`, never a no-op.

>>> simplified("浙江省市場監管“十四五”規劃（一）")
'浙江省市场监管“十四五”规划(一)'
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Callable

from .errors import ConfigError


@lru_cache(maxsize=1)
def _converter() -> Callable[[str], str]:
    try:
        import opencc

        convert = opencc.OpenCC("t2s").convert
        probe = convert("規劃")
    except Exception as exc:  # ImportError, a missing t2s config, a broken native library
        raise ConfigError(f"需要 OpenCC 做繁→简转换（pip install opencc）：{type(exc).__name__}: {exc}") from exc
    if probe != "规划":
        raise ConfigError(f"OpenCC 的 t2s 转换不可用（“規劃”→“{probe}”）")
    return convert


def t2s(text: str) -> str:
    """Traditional → simplified script (OpenCC ``t2s``); raises :class:`ConfigError` without OpenCC."""
    return _converter()(text)


@lru_cache(maxsize=200_000)
def simplified(text: str) -> str:
    """NFKC (full/half width, compatibility ideographs) then traditional → simplified; whitespace kept."""
    return t2s(unicodedata.normalize("NFKC", text or ""))
