"""Search text analysis: tokens, light stemming, and the abbreviations coders write."""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "due",
        "with",
        "w",
        "pt",
        "patient",
        "dx",
    ]
)
SPINE_LEVEL = re.compile(r"\b([ctls])(\d{1,2})\s*-\s*(?:[ctls]?)(\d{1,2})\b", re.IGNORECASE)
SPINE_REGION = {"c": "cervical", "t": "thoracic", "l": "lumbar", "s": "sacral"}
SHORTHAND = (
    (re.compile(r"\bw/o\b", re.IGNORECASE), " without "),
    (re.compile(r"\bw/", re.IGNORECASE), " with "),
    (re.compile(r"\bs/p\b", re.IGNORECASE), " status post "),
    (re.compile(r"\bh/o\b", re.IGNORECASE), " history of "),
    (re.compile(r"\bl5\s*-\s*s1\b", re.IGNORECASE), " lumbosacral "),
)

# One token → the words it stands for (applied to queries and to indexed text alike).
ABBREVIATIONS: dict[str, str] = {
    "htn": "hypertension",
    "hld": "hyperlipidemia",
    "dm": "diabetes mellitus",
    "dm1": "type 1 diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus",
    "iddm": "type 1 diabetes mellitus",
    "dm2": "type 2 diabetes mellitus",
    "t2dm": "type 2 diabetes mellitus",
    "niddm": "type 2 diabetes mellitus",
    "chf": "congestive heart failure",
    "hfref": "systolic heart failure",
    "hfpef": "diastolic heart failure",
    "copd": "chronic obstructive pulmonary disease",
    "ckd": "chronic kidney disease",
    "esrd": "end stage renal disease",
    "aki": "acute kidney failure",
    "afib": "atrial fibrillation",
    "af": "atrial fibrillation",
    "aflutter": "atrial flutter",
    "gerd": "gastro esophageal reflux disease",
    "uti": "urinary tract infection",
    "uri": "acute upper respiratory infection",
    "oa": "osteoarthritis",
    "djd": "osteoarthritis",
    "ra": "rheumatoid arthritis",
    "cad": "atherosclerotic heart disease native coronary artery",
    "mi": "myocardial infarction",
    "nstemi": "non st elevation myocardial infarction",
    "stemi": "st elevation myocardial infarction",
    "cva": "cerebral infarction",
    "tia": "transient cerebral ischemic attack",
    "dvt": "deep vein thrombosis",
    "pe": "pulmonary embolism",
    "osa": "obstructive sleep apnea",
    "bph": "benign prostatic hyperplasia",
    "pna": "pneumonia",
    "sob": "shortness of breath",
    "lbp": "low back pain",
    "mdd": "major depressive disorder",
    "gad": "generalized anxiety disorder",
    "ptsd": "post traumatic stress disorder",
    "adhd": "attention deficit hyperactivity disorder",
    "ibs": "irritable bowel syndrome",
    "bmi": "body mass index",
    "fx": "fracture",
    "fxs": "fracture",
    "hx": "history",
    "ca": "malignant neoplasm",
    "cancer": "malignant neoplasm",
    "carcinoma": "malignant neoplasm",
    "rt": "right",
    "lt": "left",
    "bilat": "bilateral",
    "chemo": "chemotherapy",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "diabetic": "diabetes",
    "sacrum": "sacral",
    "distal": "lower end",
    "proximal": "upper end",
    "longterm": "long term",
}


def stem(word: str) -> str:
    """A light English stemmer: plural and possessive endings only."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _prepare(text: str) -> str:
    if "-" in text or "/" in text:
        text = SPINE_LEVEL.sub(lambda m: f" {SPINE_REGION[m[1].lower()]} ", text)
        for pattern, replacement in SHORTHAND:
            text = pattern.sub(replacement, text)
    return text.lower().replace("'s", "").replace("'", "")


@lru_cache(maxsize=200_000)
def _expand(word: str) -> tuple[str, ...]:
    expansion = ABBREVIATIONS.get(word)
    parts = expansion.split() if expansion else [word]
    return tuple(stem(part) for part in parts if part not in STOPWORDS)


OPTIONAL = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def split_optional(text: str) -> tuple[str, str]:
    """Essential words and the nonessential ones a title puts in parentheses or brackets."""
    optional = " ".join(m[1:-1] for m in OPTIONAL.findall(text))
    return OPTIONAL.sub(" ", text), optional


def tokens(text: str) -> list[str]:
    """Stemmed, expanded tokens of `text`, in order, stopwords dropped."""
    found: list[str] = []
    for word in WORD.findall(_prepare(text)):
        found.extend(_expand(word))
    return found
