"""rjieba's segmenter class, without the default segmenter its package builds on import.

``import rjieba`` runs the package's ``__init__``, which builds a module-level
``Jieba()`` with the whole default dictionary (about 25 MB of every process) for its
``rjieba.cut`` shortcuts. This project never uses them: search (``news.search``) and
figure extraction (``quality.extraction``) each keep a private instance with their own
words, so that one's words never change how the other cuts. Loading the compiled
module ``rjieba.rjieba`` directly gives the same class without that instance.

If the package's layout ever changes, ``Jieba`` comes from the package as usual (the
only cost is the memory).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path


def _load_jieba_class() -> type:
    if "rjieba" in sys.modules:  # already imported (with its default instance)
        return sys.modules["rjieba"].Jieba
    spec = importlib.util.find_spec("rjieba")  # finds the package, does not run it
    for folder in (spec and spec.submodule_search_locations) or ():
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(folder) / f"rjieba{suffix}"
            if path.is_file():
                loader = importlib.machinery.ExtensionFileLoader(
                    "rjieba.rjieba", str(path)
                )
                module_spec = importlib.util.spec_from_loader("rjieba.rjieba", loader)
                module = importlib.util.module_from_spec(module_spec)
                loader.exec_module(module)
                return module.Jieba
    import rjieba  # noqa: PLC0415 - the fallback described above

    return rjieba.Jieba


Jieba = _load_jieba_class()
