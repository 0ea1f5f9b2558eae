"""What the loaded code sets say about a token: known, unknown, or not loaded (None)."""

from __future__ import annotations

from functools import lru_cache

from consultant.analysis.shapes import CPT, HCPCS, ICD10CM, ICD10PCS
from consultant.analysis.vocabulary import COMMON_LEVEL2_MODIFIERS, CPT_MODIFIERS
from consultant.codes.api import CodeBook, CodeInfo


class Evidence:
    """A memoising, exception-safe view of a CodeBook (or of no code sets at all)."""

    def __init__(self, book: CodeBook | None) -> None:
        self.book = book
        self._loaded: dict[str, bool] = {}
        self.info = lru_cache(maxsize=None)(self._info)
        self.cpt_seen = lru_cache(maxsize=None)(self._cpt_seen)
        self.modifier_known = lru_cache(maxsize=None)(self._modifier_known)

    def loaded(self, system: str) -> bool:
        if system not in self._loaded:
            ok = False
            if self.book is not None:
                try:
                    ok = bool(self.book.is_loaded(system))
                except Exception:  # noqa: BLE001 - a broken store is "not loaded"
                    ok = False
            self._loaded[system] = ok
        return self._loaded[system]

    def _info(self, system: str, code: str) -> CodeInfo | None:
        if not self.loaded(system):
            return None
        try:
            return self.book.lookup(system, code)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001
            return None

    def known(self, system: str, code: str) -> bool | None:
        """True/False where the system is loaded, None where it is not."""
        if not self.loaded(system):
            return None
        return self.info(system, code) is not None

    def ncci_loaded(self) -> bool:
        return any(self.loaded(name) for name in ("PFS", "MUE", "PTP", "AOC"))

    def _cpt_seen(self, code: str) -> bool | None:
        """Whether a CPT-shaped code appears in the CPT set or any CMS file keyed by it."""
        if self.loaded(CPT) and self.info(CPT, code) is not None:
            return True
        if not self.ncci_loaded() and not self.loaded(CPT):
            return None
        book = self.book
        try:
            return bool(book.pfs(code) or book.mue(code) or book.addon(code))  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001
            return None

    def _modifier_known(self, modifier: str) -> bool | None:
        """CPT modifiers from the built-in list; Level II ones from the HCPCS set."""
        if modifier in CPT_MODIFIERS:
            return True
        if modifier.isdigit():
            return False
        if self.loaded(HCPCS) and self.book is not None:
            try:
                return bool(self.book.is_modifier(modifier))
            except Exception:  # noqa: BLE001
                return None
        return True if modifier in COMMON_LEVEL2_MODIFIERS else None


SYSTEMS_CHECKED = (ICD10CM, ICD10PCS, HCPCS)
