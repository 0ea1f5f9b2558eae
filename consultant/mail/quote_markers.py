"""Line patterns that open quoted history or a signature, in many languages."""

from __future__ import annotations

import re

# The verb of a reply attribution ("On <date>, <name> wrote:"), per language.
_WROTE = (
    r"wrote|writes|said|schrieb|schreibt|a\s+écrit|a\s+ecrit|écrit|escribió|escribio"
    r"|va\s+escriure|schreef|ha\s+scritto|escreveu|escrevi|napisał\(a\)|napisała|napisał"
    r"|napisal|napsal\(a\)|napsala|napsal|pisze|skrev|skriver|kirjoitti|írta|написал\(а\)"
    r"|написала|написал|написав|пише|yazdı|đã\s+viết|scrise|写道|寫道|のメッセージ"
    r"|が書きました|書きました|작성"
)
_WROTE_CJK = r"写道|寫道|のメッセージ|が書きました|書きました|작성"
# Words that open an attribution line, before the date or the name.
_OPENER = (
    r"on|am|le|el|op|il|em|no\s+dia|den|d\.|dne|w\s+dniu|dnia|vào|в|у|tarihinde|pe|"
    r"man|tir|ons|tor|fre|lør|søn|mon|tue|wed|thu|fri|sat|sun|"
    r"maanantai|tiistai|keskiviikko|torstai|perjantai|lauantai|sunnuntai|"
    r"在|於|\d"
)
ATTRIBUTION = re.compile(
    rf"^[>\s*_]*(?:.*?(?<!\w)(?:{_WROTE})(?!\w)|.*?(?:{_WROTE_CJK}))"
    r"(?:[^:：\n]{0,80}?)\s*[:：]\s*[*_]*\s*$",
    re.IGNORECASE,
)
ATTRIBUTION_START = re.compile(rf"^[>\s*_]*(?:{_OPENER})(?:\s|,|$)", re.IGNORECASE)
# Asian and ISO-dated attributions without a verb: "2014-10-17 11:28 GMT+03:00 Ann <a@b>:".
ISO_ATTRIBUTION = re.compile(
    r"^[>\s*_]*\d{4}[-/.年]\s*\d{1,2}[-/.月]\s*\d{1,2}.*(?:@|<|>).*[:：]\s*$"
)
EVIDENCE = re.compile(r"\d|@|<|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I)

_ORIGINAL = (
    r"original\s+message|ursprüngliche\s+nachricht|originalnachricht|message\s+d'origine"
    r"|mensaje\s+original|oorspronkelijk\s+bericht|origineel\s+bericht|messaggio\s+originale"
    r"|mensagem\s+original|originalmeddelande|ursprungligt\s+meddelande|original\s+meddelelse"
    r"|oprindelig\s+meddelelse|opprinnelig\s+melding|alkuperäinen\s+viesti"
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
RULE = re.compile(r"^\s*(?:_{8,}|-{8,}|={8,}|—{4,})\s*$")

# Outlook-style header lines of a quoted message, by field, per language.
_HEADER_NAMES = {
    "from": r"from|von|de|van|da|från|fra|od|от|від|lähettäjä|feladó|kimden|afzender|"
    r"发件人|發件人|寄件者|差出人|보낸\s*사람|mittente|remitente|expéditeur|avsändare",
    "sent": r"sent|date|gesendet|datum|envoyé|verzonden|inviato|data|skickat|sendt|wysłano|"
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

SIGNATURE_RULE = re.compile(r"^(?:--|-- |—|__|___|-{2,3}\s*)$")
# Footers that mail apps put under the writer's text.
MOBILE_FOOTER = re.compile(
    r"^\s*(?:"
    r"sent\s+(?:from|via|with|using)\s+(?:my\s+)?\S.{0,60}"
    r"|get\s+outlook\s+for\s+\S+.{0,20}"
    r"|envoyé\s+(?:de|depuis)\s+(?:mon\s+)?\S.{0,40}"
    r"|von\s+meinem\s+\S.{0,40}(?:gesendet)?"
    r"|gesendet\s+von\s+\S.{0,40}"
    r"|enviado\s+(?:desde|de)\s+(?:mi|meu)\s+\S.{0,40}"
    r"|verzonden\s+(?:vanaf|met|van)\s+(?:mijn\s+)?\S.{0,40}"
    r"|inviato\s+da\s+\S.{0,40}"
    r"|skickat\s+från\s+(?:min\s+)?\S.{0,40}"
    r"|sendt\s+fra\s+(?:min\s+)?\S.{0,40}"
    r"|wysłane\s+z\s+\S.{0,40}"
    r"|отправлено\s+с\s+\S.{0,40}"
    r"|lähetetty\s+\S.{0,40}"
    r"|sent\s+from\s+\S.{0,60}"
    r")\s*$",
    re.IGNORECASE,
)
