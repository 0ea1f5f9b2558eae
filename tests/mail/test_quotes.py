"""split_reply: attributions, header blocks, separators, quotes and signatures."""

from __future__ import annotations

import pytest

from consultant.mail.quotes import split_reply

ATTRIBUTIONS = [
    "On Mon, Jan 5, 2026 at 9:00 AM Ann Lee <ann@x.example> wrote:",
    "Am 05.01.2026 um 09:00 schrieb Ann Lee <ann@x.example>:",
    "Le lun. 5 janv. 2026 à 09:00, Ann Lee <ann@x.example> a écrit :",
    "El lun, 5 ene 2026 a las 9:00, Ann Lee (<ann@x.example>) escribió:",
    "Op ma 5 jan. 2026 om 09:00 schreef Ann Lee <ann@x.example>:",
    "Il giorno lun 5 gen 2026 alle ore 09:00 Ann Lee <ann@x.example> ha scritto:",
    "Em seg., 5 de jan. de 2026 às 09:00, Ann Lee <ann@x.example> escreveu:",
    "W dniu 5.01.2026 o 09:00, Ann Lee <ann@x.example> pisze:",
    "Den 5 jan. 2026 kl. 09:00 skrev Ann Lee <ann@x.example>:",
    "пн, 5 янв. 2026 г. в 09:00, Ann Lee <ann@x.example>:",
    "在 2026年1月5日，Ann Lee <ann@x.example> 写道：",
    "2026/01/05 9:00、Ann Lee <ann@x.example>のメッセージ:",
    "2026. 1. 5. 오전 9:00, Ann Lee <ann@x.example> 작성:",
    "2026-01-05 9:00 GMT+01:00 Ann Lee <ann@x.example>:",
]


@pytest.mark.parametrize("attribution", ATTRIBUTIONS)
def test_attribution_cuts_history(attribution):
    parts = split_reply(f"New text 99213.\n\n{attribution}\n\nOld text 99214.\n")
    assert parts.reply == "New text 99213."
    assert "99214" in parts.quoted


def test_attribution_over_two_lines():
    text = "Yes.\n\nOn Mon, Jan 5, 2026 at 9:00 AM Ann Lee <\nann@x.example> wrote:\n\n> old\n"
    assert split_reply(text).reply == "Yes."


@pytest.mark.parametrize(
    "block",
    [
        "From: Ann\nSent: Monday\nTo: Desk\nSubject: x",
        "*From:* Ann\n*Sent:* Monday\n*To:* Desk",
        "Von: Ann\nGesendet: Montag\nAn: Desk\nBetreff: x",
        "De : Ann\nEnvoyé : lundi\nÀ : Desk\nObjet : x",
        "Van: Ann\nVerzonden: maandag\nAan: Desk",
        "Da: Ann\nInviato: lunedì\nA: Desk\nOggetto: x",
        "Från: Ann\nSkickat: måndag\nTill: Desk\nÄmne: x",
        "Fra: Ann\nSendt: mandag\nTil: Desk\nEmne: x",
        "Od: Ann\nWysłano: poniedziałek\nDo: Desk\nTemat: x",
        "От: Ann\nОтправлено: понедельник\nКому: Desk\nТема: x",
        "________________________________\nFrom: Ann\nSent: Monday",
    ],
)
def test_outlook_header_blocks(block):
    parts = split_reply(f"New 99213.\n\n{block}\n\nOld 99214.")
    assert parts.reply == "New 99213."
    assert "99214" in parts.quoted


@pytest.mark.parametrize(
    "separator",
    [
        "-----Original Message-----",
        "-----Ursprüngliche Nachricht-----",
        "-------- Message d'origine --------",
        "---------- Forwarded message ---------",
        "Begin forwarded message:",
    ],
)
def test_separators(separator):
    assert split_reply(f"New.\n\n{separator}\nOld 99214.").reply == "New."


def test_quote_intro_then_bottom_reply_and_inline_answers():
    text = "On Mon, Jan 5, 2026, Ann <a@x.example> wrote:\n> q1 99214\n\nA1\n\n> q2\n\nA2\n"
    parts = split_reply(text)
    assert parts.reply == "A1\n\nA2"
    assert "99214" in parts.quoted


@pytest.mark.parametrize(
    "footer",
    ["Sent from my iPhone", "Get Outlook for iOS", "Von meinem iPhone gesendet", "-- \nAnn Lee"],
)
def test_signatures(footer):
    parts = split_reply(f"Is 99213 right?\n\n{footer}\n")
    assert parts.reply == "Is 99213 right?"
    assert parts.signature


def test_ordinary_lines_are_kept():
    text = "Dates: 2024-01-15 14:30:25\nAs Ann wrote in her note, we coded 99213.\nTo: be sure"
    assert split_reply(text).reply == text
