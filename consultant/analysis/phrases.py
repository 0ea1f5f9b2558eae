"""Described conditions: the phrases of a question that name a diagnosis without a code."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"(?<!\d)[.?!;:\n]+(?!\d)|\(|\)|\"")
_SPLIT = re.compile(
    r",? \b(?:and|but|also|plus|who|which|that has|who has|then|so|because|after)\b |, ",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+(?:st|nd|rd|th)?")

ABBREVIATIONS = {
    "ptsd": "post-traumatic stress disorder",
    "af": "atrial fibrillation",
    "afib": "atrial fibrillation",
    "a-fib": "atrial fibrillation",
    "hf": "heart failure",
    "chf": "congestive heart failure",
    "htn": "hypertension",
    "t2dm": "type 2 diabetes mellitus",
    "dm2": "type 2 diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus",
    "dm1": "type 1 diabetes mellitus",
    "dm": "diabetes mellitus",
    "copd": "chronic obstructive pulmonary disease",
    "ckd": "chronic kidney disease",
    "gad": "generalized anxiety disorder",
    "mdd": "major depressive disorder",
    "oa": "osteoarthritis",
    "ra": "rheumatoid arthritis",
    "fx": "fracture",
    "lac": "laceration",
    "acl": "anterior cruciate ligament",
    "pcl": "posterior cruciate ligament",
    "mcl": "medial collateral ligament",
    "lcl": "lateral collateral ligament",
    "loc": "loss of consciousness",
    "cva": "cerebral infarction",
    "tia": "transient ischemic attack",
    "pvd": "peripheral vascular disease",
    "pad": "peripheral arterial disease",
    "uti": "urinary tract infection",
    "gerd": "gastro-esophageal reflux disease",
    "cad": "coronary artery disease",
    "mi": "myocardial infarction",
    "dvt": "deep vein thrombosis",
    "osa": "obstructive sleep apnea",
    "adhd": "attention-deficit hyperactivity disorder",
    "bph": "benign prostatic hyperplasia",
    "lbp": "low back pain",
    "uri": "upper respiratory infection",
    "ad": "alzheimer's disease",
    "chemo": "chemotherapy",
    "sugars": "glucose",
}

# Words that make a clause a description of a condition (or of an encounter reason).
ANCHORS = frozenset(
    """diabetes diabetic fracture ulcer hypertension disorder fibrillation failure cancer
    carcinoma neoplasm malignancy malignant tumor neutropenia anemia hyperglycemia
    hypoglycemia neuropathy polyneuropathy insulin pain stenosis sprain strain laceration
    infection pneumonia asthma depression anxiety obesity disease syndrome sciatica
    radiculopathy osteoarthritis arthritis migraine headache dementia concussion contusion
    dislocation tear hernia cellulitis abscess bronchitis sinusitis otitis dermatitis
    psoriasis gout osteoporosis hyperlipidemia hypothyroidism hyperthyroidism chemotherapy
    radiotherapy stress bipolar schizophrenia insomnia apnea reflux gastritis colitis
    appendicitis cholecystitis pancreatitis hepatitis cirrhosis nephropathy retinopathy
    gastroparesis thrombosis embolism angina infarction cardiomyopathy arrhythmia
    bradycardia tachycardia murmur effusion edema nodule cyst lesion mass polyp bleeding
    hemorrhage wound burn bite injury trauma pregnancy gestational preeclampsia
    eclampsia dysplasia vertigo dizziness syncope seizure epilepsy stroke palsy weakness
    fatigue cough fever rash tendinitis tendonitis bursitis fasciitis spondylosis
    spondylolisthesis myalgia fibromyalgia lymphoma leukemia melanoma metastasis
    metastatic screening vaccination immunization keratosis""".split()  # noqa: SIM905
)

STOPWORDS = frozenset(
    """a an the this that these those and or of for to in on at by with without from is
    are was were be been has have had do does did who which what whats what's how why when
    where i we you he she it they my our your his her their its patient patients pt client
    resident doc doctor provider md np pa wrote documented says said states noted today
    yesterday came come in visit also currently meets criteria diagnosis dx code codes
    icd icd-10 should would could can will use using used bill billing billed need needs
    help please thanks thank question one some any just only very still now then here
    there because about after before while during as if so but not no up down out into
    over under again running high low goes went get got keep picking other unspecified
    being had has coding coder coders questions query queries issue issues inquiry
    clarification urgent fyi re fw fwd""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Phrase:
    text: str  # as written (cleaned)
    words: tuple[str, ...]  # content words, abbreviations expanded, lower case
    start: int = 0  # offset of its sentence in the text


def described_phrases(text: str, coded_spans: list[tuple[int, int]]) -> list[Phrase]:
    """Clauses with a condition word and no code of their own, in order, without repeats."""
    phrases: list[Phrase] = []
    seen: set[tuple[str, ...]] = set()
    position = 0
    for sentence in _SENTENCE.split(text):
        start = text.find(sentence, position)
        position = max(position, start)
        if any(start <= s < start + len(sentence) for s, _ in coded_spans):
            continue
        pending: list[str] = []
        for clause in _SPLIT.split(rewrite(sentence)):
            words = content_words(clause)
            if words and not ANCHORS.intersection(words) and pending and len(words) <= 3:
                pending.append(clause)  # ', left foot, nondisplaced': qualifiers of the last one
                continue
            _flush(pending, phrases, seen, start)
            pending = [clause] if words and ANCHORS.intersection(words) else []
        _flush(pending, phrases, seen, start)
    return _without_overlaps(phrases)


def _flush(
    pending: list[str], phrases: list[Phrase], seen: set[tuple[str, ...]], start: int
) -> None:
    if not pending:
        return
    text = ", ".join(" ".join(part.split()) for part in pending)
    words = tuple(content_words(text))
    if any(len(word) >= 5 and word.isdigit() for word in words):
        return  # a zip code, claim or phone number: an address or a reference, not a condition
    if words and len(words) <= 16 and words not in seen:
        seen.add(words)
        phrases.append(Phrase(text, words, start))


def _without_overlaps(phrases: list[Phrase]) -> list[Phrase]:
    """Drop a phrase whose words all appear in a longer one ('diabetes' in the subject and
    'type 2 diabetes with polyneuropathy' in the body describe one condition)."""
    kept = []
    for phrase in phrases:
        words = set(phrase.words)
        longer = (other for other in phrases if len(other.words) > len(phrase.words))
        if any(words <= set(other.words) for other in longer):
            continue
        kept.append(phrase)
    return kept


def rewrite(text: str) -> str:
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


def content_words(text: str) -> list[str]:
    words: list[str] = []
    for raw in _WORD.findall(text):
        lower = raw.lower().strip("'-")
        expanded = ABBREVIATIONS.get(lower)
        if expanded:
            words.extend(expanded.split())
        elif lower and lower not in STOPWORDS:
            words.append(_ORDINALS.get(lower, lower))
    return words


_REWRITES = [
    (
        re.compile(r"\b(?:initial|first) (?:visit|encounter|presentation)\b", re.I),
        "initial encounter",
    ),
    (
        re.compile(r"\b(?:follow[- ]?up|f/u|subsequent) (?:visit|encounter)?", re.I),
        "subsequent encounter ",
    ),
    (re.compile(r"\bhealing (?:as expected|normally|well|routinely)\b", re.I), "routine healing"),
    (re.compile(r"\btype (?:ii|two)\b", re.I), "type 2"),
    (re.compile(r"\btype (?:i|one)\b", re.I), "type 1"),
]
_ORDINALS = {"5th": "fifth", "4th": "fourth", "3rd": "third", "2nd": "second", "1st": "first"}
