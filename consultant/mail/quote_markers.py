"""Line patterns that open quoted history or a signature, in many languages."""

from __future__ import annotations

import re

# The verb of a reply attribution ("On <date>, <name> wrote:"), per language.
_WROTE = (
    r"wrote|writes|said|schrieb|schreibt|a\s+écrit|a\s+ecrit|écrit|escribió|escribio"
    r"|va\s+escriure|schreef|ha\s+scritto|escreveu|escrevi|napisał\(a\)|napisała|napisał"
    r"|napisal|napsal\(a\)|napsala|napsal|pisze|skrev|skriver|kirjoitti|írta|написал\(а\)"
    r"|написала|написал|написав|пише|yazdı|đã\s+viết|scrise|写道|寫道|のメッセージ"
    r"|が書きました|書きました|작성|het\s+volgende\s+geschreven|geschreven|ha\s+escrit"
)
_WROTE_CJK = r"写道|寫道|のメッセージ|が書きました|書きました|작성"
# Words that open an attribution line, before the date or the name.
_OPENER = (
    r"on|am|le|el|op|il|em|no\s+dia|den|d\.|dne|w\s+dniu|dnia|vào|в|у|tarihinde|pe|"
    r"man|tir|ons|tor|fre|lør|søn|mon|tue|wed|thu|fri|sat|sun|"
    r"maanantai|tiistai|keskiviikko|torstai|perjantai|lauantai|sunnuntai|"
    r"在|於|\d"
)
# "<opener> … <verb> …:", where the colon may be missing and dashes may frame the line.
ATTRIBUTION = re.compile(
    rf"^[>\s*_-]*(?:.*?(?<!\w)(?:{_WROTE})(?!\w)|.*?(?:{_WROTE_CJK}))"
    r"(?P<tail>.{0,80}?)\s*(?P<colon>[:：])?\s*[*_-]*\s*$",
    re.IGNORECASE,
)
ATTRIBUTION_START = re.compile(rf"^[>\s*_-]*(?:{_OPENER})\.?(?:\s|,|$)", re.IGNORECASE)
# Where an attribution begins in the middle of a line: "reply On Wed, … wrote:".
INLINE_ATTRIBUTION = re.compile(
    rf"(?:^|\s|-)(?=(?:-{{2,}}\s*)?(?:on|am|le|el|op|il|den)\s[^:]*\d[^:]*(?:{_WROTE})\s*:\s*$)",
    re.IGNORECASE,
)
# Attributions without a verb: "2014-10-17 11:28 GMT+03:00 Ann <a@b>:",
# "30.09.2017, 18.30, "Ann" <a@b>:", "ср, 30 апр. 2025 г. в 15:19, Ann <a@b>:".
DATED_ADDRESS = re.compile(r"^[>\s*_-]*\S.*\d.*(?:@\S+|>)\s*[:：]\s*$")
ISO_ATTRIBUTION = re.compile(
    r"^[>\s*_]*\d{4}[-/.年]\s*\d{1,2}[-/.月]\s*\d{1,2}.*(?:@|<|>)[^:]*[:：]?\s*$"
)
# "2016-03-03 17:21 GMT+01:00 Some One": a date, a time and a name, nothing else.
DATE_TIME_START = re.compile(
    r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+\d{1,2}:\d{2}\b.{0,40}?"
    r"[^\W\d_]{2,}\s+[^\W\d_]{2,}\s*$"
)
# "---- John Smith wrote ----"
FRAMED = re.compile(r"^\s*-{2,}.*-{2,}\s*$")
EVIDENCE = re.compile(r"\d|@|<|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I)

_ORIGINAL = (
    r"original\s+message|ursprüngliche\s+nachricht|originalnachricht|message\s+d'origine"
    r"|mensaje\s+original|oorspronkelijk\s+bericht|origineel\s+bericht|messaggio\s+originale"
    r"|mensagem\s+original|originalmeddelande|ursprungligt\s+meddelande|original\s+meddelelse"
    r"|oprindelig\s+meddelelse|oprindelig\s+besked|antwort\s+nachricht|opprinnelig\s+melding|alkuperäinen\s+viesti"
    r"|wiadomość\s+oryginalna|oryginalna\s+wiadomość|исходное\s+сообщение"
    r"|оригинальное\s+сообщение|původní\s+zpráva|eredeti\s+üzenet|orijinal\s+mesaj"
    r"|原始邮件|原始郵件|元のメッセージ|원본\s*메시지|reply\s+message"
)
_FORWARDED = (
    r"forwarded\s+message|begin\s+forwarded\s+message|forwarded\s+by|weitergeleitete\s+nachricht"
    r"|message\s+transféré|message\s+transfere|mensaje\s+reenviado|doorgestuurd\s+bericht"
    r"|messaggio\s+inoltrato|mensagem\s+encaminhada|vidarebefordrat\s+meddelande"
    r"|videresendt\s+meddelelse|videresendt\s+melding|välitetty\s+viesti"
    r"|przekazana\s+wiadomość|wiadomość\s+przekazana|пересылаемое\s+сообщение"
    r"|пересланное\s+сообщение|переслане\s+повідомлення|přeposlaná\s+zpráva|转发的邮件"
    r"|轉寄的郵件|転送されたメッセージ|전달된\s*메시지"
)
SEPARATOR = re.compile(
    rf"^[>\s*_]*[-_=~*]*\s*(?:{_ORIGINAL}|{_FORWARDED})\s*:?\s*[-_=~*]*\s*$", re.IGNORECASE
)
RULE = re.compile(r"^\s*(?:_{3,}|-{3,}|={3,}|—{3,}|\*{3,})\s*$")

# Outlook-style header lines of a quoted message, by field, per language.
_HEADER_NAMES = {
    "from": r"from|von|de|van|da|från|fra|od|от|від|lähettäjä|feladó|kimden|afzender|"
    r"发件人|發件人|寄件者|差出人|보낸\s*사람|mittente|remitente|expéditeur|avsändare",
    "sent": r"sent|date|message\s+du|gesendet|datum|envoyé|verzonden|inviato|data|skickat|"
    r"sendt|wysłano|"
    r"отправлено|дата|enviado|enviada|fecha|lähetetty|päivämäärä|odesláno|elküldve|"
    r"gönderildi|tarih|发送时间|發送時間|日期|送信日時|日付|보낸\s*날짜|sent\s+at",
    "to": r"to|an|à|a|aan|till|til|do|кому|para|vastaanottaja|komu|címzett|kime|"
    r"收件人|宛先|받는\s*사람|destinataire|destinatario",
    "subject": r"subject|betreff|objet|onderwerp|oggetto|ämne|emne|temat|тема|asunto|"
    r"assunto|aihe|předmět|tárgy|konu|主题|主題|件名|제목|sujet",
    "cc": r"cc|kopie|kopia|копия|copie|cópia|kopio",
    "reply-to": r"reply-to|antwort\s+an|répondre\s+à",
}
HEADER_LINE = {
    field: re.compile(rf"^[>\s]*[*_]*\s*(?:{names})\s*[*_]*\s*[:：]", re.IGNORECASE)
    for field, names in _HEADER_NAMES.items()
}

SIGNATURE_RULE = re.compile(r"^(?:-{2,3}\s*|_{2,}\s*)$")
# A dashed sign-off on the last lines: "-Abhishek Kona", "- roman".
DASH_SIGN_OFF = re.compile(r"^\s*-\s?[^\W\d_][\w.']*(?:\s[^\W\d_][\w.']*){0,2}\s*$")
# Footers that mail apps put under the writer's text: "Sent from my iPhone",
# "Get Outlook for iOS<https://aka.ms/…>", "Von meinem iPhone gesendet" …
_APP = r"[\w\s'’&@()+./®™-]{1,60}?(?:\s*<[^>\s]*>)?"
MOBILE_FOOTER = re.compile(
    r"^\s*(?:"
    rf"sent\s+(?:from|via|with|using|by)\s+{_APP}"
    rf"|sent\s+wirelessly\s+.{{0,80}}"
    rf"|get\s+outlook\s+for\s+{_APP}"
    rf"|envoyé\s+(?:de|depuis|à\s+partir\s+de|avec|par)\s+{_APP}"
    rf"|von\s+meinem\s+{_APP}\s+gesendet"
    rf"|gesendet\s+(?:von|mit|aus)\s+{_APP}"
    rf"|enviado\s+(?:desde|de|do|com|con)\s+{_APP}"
    rf"|verzonden\s+(?:vanaf|met|van|via)\s+{_APP}"
    rf"|verstuurd\s+(?:vanaf|met|van)\s+{_APP}"
    rf"|inviato\s+(?:da|dal|con)\s+{_APP}"
    rf"|skickat\s+från\s+{_APP}"
    rf"|sendt\s+fra\s+{_APP}"
    rf"|wysłane\s+z\s+{_APP}"
    rf"|отправлено\s+(?:с|из)\s+{_APP}"
    rf"|lähetetty\s+{_APP}"
    r")[.!]?\s*$",
    re.IGNORECASE,
)
